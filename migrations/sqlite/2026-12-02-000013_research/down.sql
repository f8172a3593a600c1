DROP TABLE studies;
DROP TABLE researchers;
