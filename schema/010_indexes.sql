-- 010_indexes: the indexes of items and mentions that no query uses, gone.
--
-- Every index of items and mentions is written on every insert of a
-- polling cycle, and those of items again by the indexer's UPDATE
-- (index_items(), schema/009: it writes search and story_id, so it is
-- never a HOT update). Each view, each question of docs/SQL.md and each
-- query the daemon runs was asked under EXPLAIN ANALYZE on a year of
-- data, with every index and with each index dropped in turn
-- (bench/index_bench.py; figures and commands in docs/SQL.md, "Indexes:
-- what each question uses"). These five were used by none:
--
-- * items_published (coalesce(published_at, first_seen_at)): nothing
--   filters or sorts items on that expression; the views date a mention
--   by analytics.mention_day(), served by mentions_watch_day.
-- * items_story (story_id): the stories view groups every item by
--   coalesce(story_id, id) and reads them all whatever the index;
--   item_continues() reads story_id of the rows it finds by link or band,
--   never looks rows up by it; and story_id has no foreign key (007)
--   whose deletes it would serve.
-- * items_first_seen (BRIN on first_seen_at): the partition key already
--   selects the months; within a month the questions on first_seen_at
--   are served by items_unsearched (the indexer), the primary key
--   (backfill pages) or read the whole month. It was for retention by
--   deletion, which dropping partitions replaced (007).
-- * mentions_watch_time (watch_id, coalesce(published_at, first_seen_at))
--   and mentions_negative (watch_id, first_seen_at) WHERE label =
--   'negative': the views and the daemon count the editor's tone,
--   coalesce(label_override, label), which that predicate cannot serve,
--   and date mentions by mention_day(); what has watch_id first is
--   served as well by mentions_watch_day.
--
-- What remains, and what uses it:
-- * items: the primary key (joins from a mention, backfill pages); each
--   month's (source_id, identity) unique index (the save's identity
--   check); items_source_seen (the newest item of each source:
--   analytics.source_health); items_url_norm and items_band0..3 (the
--   story look-up of item_continues()); items_search (full text, @@);
--   items_unsearched (the indexer's backlog).
-- * mentions: the primary key (the save's ON CONFLICT); mentions_watch_day
--   (every view by watch and day, the backfill's purge, an alert's
--   context); mentions_rumour (analytics.rumours); mentions_first_seen
--   (the detector's detect_counts() and the daemon's stats: the last day
--   and the last hour of the month's partition).

DROP INDEX items_published;
DROP INDEX items_story;
DROP INDEX items_first_seen;
DROP INDEX mentions_watch_time;
DROP INDEX mentions_negative;
