-- export.workers: remote. The queue of partition requests from a manager (`export`) to its `worker`
-- processes: Spring Integration's JDBC channel message store (its schema-h2.sql, the channel message part
-- only). Created on H2 too so that both vendors keep one schema version, although remote workers need a
-- state database that every machine reaches (PostgreSQL): see the README.
CREATE SEQUENCE INT_MESSAGE_SEQ START WITH 1 INCREMENT BY 1;

CREATE TABLE INT_CHANNEL_MESSAGE (
    MESSAGE_ID       CHAR(36)       NOT NULL,
    GROUP_KEY        CHAR(36)       NOT NULL,
    CREATED_DATE     BIGINT         NOT NULL,
    MESSAGE_PRIORITY BIGINT,
    MESSAGE_SEQUENCE BIGINT         NOT NULL,
    MESSAGE_CONTENT  LONGVARBINARY,
    REGION           VARCHAR(100)   NOT NULL,
    CONSTRAINT INT_CHANNEL_MESSAGE_PK PRIMARY KEY (REGION, GROUP_KEY, CREATED_DATE, MESSAGE_SEQUENCE)
);

CREATE INDEX INT_CHANNEL_MSG_DELETE_IDX ON INT_CHANNEL_MESSAGE (REGION, GROUP_KEY, MESSAGE_ID);
