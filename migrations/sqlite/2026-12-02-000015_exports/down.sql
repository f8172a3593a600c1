DROP INDEX consents_by_study_pseudonym;
DROP TABLE export_participants;
DROP TABLE dataset_exports;
