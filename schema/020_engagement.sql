-- 020_engagement: what an API says of a post's reach, kept with the item
-- (type = json sources: docs/SOURCES.md). NULL where the source does not
-- say: a feed has none of these, and an API may give only some.

ALTER TABLE items
    ADD COLUMN likes bigint,
    ADD COLUMN shares bigint,
    ADD COLUMN replies bigint,
    ADD COLUMN views bigint,
    ADD COLUMN author_followers bigint;

COMMENT ON COLUMN items.likes IS 'Likes, favourites or upvotes of the post when its source says (type = json), else NULL.';
COMMENT ON COLUMN items.shares IS 'Shares, reposts or boosts of the post when its source says, else NULL.';
COMMENT ON COLUMN items.replies IS 'Replies or comments on the post when its source says, else NULL.';
COMMENT ON COLUMN items.views IS 'Views of the post when its source says, else NULL.';
COMMENT ON COLUMN items.author_followers IS 'Followers or subscribers of the post''s author when its source says, else NULL.';
