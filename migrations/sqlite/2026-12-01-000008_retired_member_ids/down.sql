DROP TABLE retired_member_ids;
