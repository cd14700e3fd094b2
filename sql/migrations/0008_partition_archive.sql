-- Partition archive: the ledger also remembers the MD5 of the compressed blob (what the store reports
-- as the committed blob's Content-MD5), so the verify step compares what was uploaded with what is
-- stored before anything may be detached or dropped. Base64 of 16 bytes.
-- NOT VALID: enforced for every new or updated row; no rows predate it (nothing archived before 0008).
ALTER TABLE maintenance.partition_archives
  ADD COLUMN compressed_md5 text CHECK (compressed_md5 ~ '^[A-Za-z0-9+/]{22}==$');
ALTER TABLE maintenance.partition_archives
  ADD CONSTRAINT partition_archives_md5_after_upload
  CHECK (state IN ('exporting', 'failed') OR compressed_md5 IS NOT NULL) NOT VALID;
