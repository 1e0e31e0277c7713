-- Negative and total mentions per watch and bucket, by the time a
-- mention counts for detection (detect_item_time(), mirrored).
-- detect_counts() (schema/006) is shared with vigie backtest.
-- $1, $2: from and to, $3: the bucket, $4: the window; all in ms
SELECT watch, bucket, negative, total FROM detect_counts(
  $1::bigint, $2::bigint, $3::bigint, $4::bigint)
