-- Imports insert hundreds of thousands of rows: the trigram index takes them through its pending
-- list, and merging a 16 MB list at a time (instead of the default 4 MB) cut the index's share of
-- an import by about 30 % in the measurements behind decision 005. Imports flush the list when
-- they finish, so searches do not scan a full list afterwards.
ALTER INDEX "contacts_search_trgm_idx" SET (gin_pending_list_limit = 16384);
