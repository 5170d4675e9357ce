-- The schema of a new mlpath database at revision 0010_stats: exactly what migrating an empty database
-- with Alembic from nothing to that revision yields. mlpath/store/db.py creates new databases from it,
-- in one transaction, without importing Alembic. Generated from migrations/; do not edit. After adding
-- a migration run `python -m mlpath.store.snapshot --write` (tests/test_schema_snapshot.py fails until it is current).
-- revision: 0010_stats

CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

CREATE TABLE "topic" (
	pack VARCHAR NOT NULL, 
	id VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	area VARCHAR NOT NULL, 
	active BOOLEAN NOT NULL, 
	first_seen DATETIME NOT NULL, 
	PRIMARY KEY (pack, id)
);

CREATE TABLE "topic_status" (
	pack VARCHAR NOT NULL, 
	topic_id VARCHAR NOT NULL, 
	status VARCHAR NOT NULL, 
	started_at DATETIME, 
	finished_at DATETIME, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (pack, topic_id), 
	FOREIGN KEY(pack, topic_id) REFERENCES topic (pack, id) ON UPDATE CASCADE
);

CREATE TABLE "status_event" (
	id INTEGER NOT NULL, 
	pack VARCHAR NOT NULL, 
	topic_id VARCHAR NOT NULL, 
	status VARCHAR NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(pack, topic_id) REFERENCES topic (pack, id) ON UPDATE CASCADE
);

CREATE TABLE "question" (
	pack VARCHAR NOT NULL, 
	id VARCHAR NOT NULL, 
	topic_id VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	data VARCHAR NOT NULL, 
	active BOOLEAN NOT NULL, 
	PRIMARY KEY (pack, id), 
	FOREIGN KEY(pack, topic_id) REFERENCES topic (pack, id) ON UPDATE CASCADE
);

CREATE TABLE "card" (
	id INTEGER NOT NULL, 
	pack VARCHAR NOT NULL, 
	question_id VARCHAR NOT NULL, 
	state INTEGER NOT NULL, 
	step INTEGER, 
	stability FLOAT, 
	difficulty FLOAT, 
	due DATETIME NOT NULL, 
	last_review DATETIME, 
	created_at DATETIME NOT NULL, 
	reps INTEGER NOT NULL, 
	lapses INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(pack, question_id) REFERENCES question (pack, id) ON UPDATE CASCADE, 
	UNIQUE (pack, question_id)
);

CREATE TABLE "review" (
	id INTEGER NOT NULL, 
	card_id INTEGER NOT NULL, 
	pack VARCHAR NOT NULL, 
	question_id VARCHAR NOT NULL, 
	topic_id VARCHAR NOT NULL, 
	reviewed_at DATETIME NOT NULL, 
	rating INTEGER NOT NULL, 
	correct BOOLEAN, 
	answer VARCHAR, 
	response_ms INTEGER, 
	seed INTEGER, flag VARCHAR, uid VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(card_id) REFERENCES card (id), 
	FOREIGN KEY(pack, question_id) REFERENCES question (pack, id) ON UPDATE CASCADE, 
	FOREIGN KEY(pack, topic_id) REFERENCES topic (pack, id) ON UPDATE CASCADE
);

CREATE TABLE "content_state" (
	id INTEGER NOT NULL, 
	pack VARCHAR NOT NULL, 
	title VARCHAR, 
	version VARCHAR, 
	source VARCHAR NOT NULL, 
	fingerprint VARCHAR NOT NULL, 
	roadmap VARCHAR NOT NULL, 
	synced_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE preference (
	"key" VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY ("key")
);

CREATE TABLE fsrs_parameters (
	id INTEGER NOT NULL, 
	parameters VARCHAR NOT NULL, 
	fitted_at DATETIME NOT NULL, 
	reviews INTEGER NOT NULL, 
	trained_on INTEGER NOT NULL, 
	log_loss FLOAT NOT NULL, 
	rmse_bins FLOAT NOT NULL, 
	previous_log_loss FLOAT NOT NULL, 
	previous_rmse_bins FLOAT NOT NULL, 
	active BOOLEAN NOT NULL, 
	calibration VARCHAR, 
	PRIMARY KEY (id)
);

CREATE TABLE notice (
	"key" VARCHAR NOT NULL, 
	at DATETIME NOT NULL, 
	value VARCHAR, 
	PRIMARY KEY ("key")
);

CREATE TABLE status_reason (
	event_id INTEGER NOT NULL, 
	reason VARCHAR NOT NULL, 
	PRIMARY KEY (event_id)
);

CREATE TABLE sync_state (
	server VARCHAR NOT NULL, 
	pack VARCHAR NOT NULL, 
	pushed_review INTEGER NOT NULL, 
	pushed_event INTEGER NOT NULL, 
	pulled_review INTEGER NOT NULL, 
	pulled_event INTEGER NOT NULL, 
	synced_at DATETIME, 
	PRIMARY KEY (server, pack)
);

CREATE TABLE sync_pending (
	pack VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	"key" VARCHAR NOT NULL, 
	PRIMARY KEY (pack, kind, "key")
);

CREATE TABLE implicit_credit (
	id INTEGER NOT NULL, 
	card_id INTEGER NOT NULL, 
	topic_id VARCHAR NOT NULL, 
	source_topic_id VARCHAR NOT NULL, 
	source_review_id INTEGER, 
	distance INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	fraction FLOAT NOT NULL, 
	cap FLOAT NOT NULL, 
	strength FLOAT NOT NULL, 
	stability_before FLOAT NOT NULL, 
	stability_after FLOAT NOT NULL, 
	recall_before FLOAT NOT NULL, 
	recall_after FLOAT NOT NULL, 
	held_out BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(card_id) REFERENCES card (id), 
	FOREIGN KEY(source_review_id) REFERENCES review (id)
);

CREATE TABLE credit_observation (
	id INTEGER NOT NULL, 
	card_id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	predicted_with_credit FLOAT NOT NULL, 
	predicted_without_credit FLOAT NOT NULL, 
	recalled BOOLEAN NOT NULL, 
	strength FLOAT NOT NULL, 
	held_out BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(card_id) REFERENCES card (id)
);

CREATE TABLE credit_strength (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	strength FLOAT NOT NULL, 
	observations INTEGER NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE credit_probe (
	id INTEGER NOT NULL, 
	card_id INTEGER NOT NULL, 
	topic_id VARCHAR NOT NULL, 
	source_topic_id VARCHAR NOT NULL, 
	flagged_at DATETIME NOT NULL, 
	recall FLOAT NOT NULL, 
	answered_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(card_id) REFERENCES card (id)
);

CREATE TABLE card_evidence (
	card_id INTEGER NOT NULL, 
	reps INTEGER NOT NULL, 
	passed_after_gap BOOLEAN NOT NULL, 
	PRIMARY KEY (card_id), 
	FOREIGN KEY(card_id) REFERENCES card (id)
);

CREATE TABLE review_hour (
	pack VARCHAR NOT NULL, 
	hour VARCHAR NOT NULL, 
	answers INTEGER NOT NULL, 
	correct INTEGER NOT NULL, 
	PRIMARY KEY (pack, hour)
);

CREATE TABLE review_tally (
	pack VARCHAR NOT NULL, 
	question_id VARCHAR NOT NULL, 
	topic_id VARCHAR NOT NULL, 
	answers INTEGER NOT NULL, 
	passed INTEGER NOT NULL, 
	PRIMARY KEY (pack, question_id, topic_id)
);

INSERT INTO "alembic_version" ("version_num") VALUES ('0010_stats');

CREATE INDEX ix_status_event_pack_topic ON status_event (pack, topic_id);

CREATE INDEX ix_question_pack_topic ON question (pack, topic_id);

CREATE INDEX ix_card_pack_due ON card (pack, due);

CREATE INDEX ix_review_card_id ON review (card_id);

CREATE INDEX ix_review_reviewed_at ON review (reviewed_at);

CREATE INDEX ix_review_pack_topic_at ON review (pack, topic_id, reviewed_at);

CREATE INDEX ix_content_state_pack ON content_state (pack);

CREATE UNIQUE INDEX ix_review_uid ON review (uid);

CREATE INDEX ix_implicit_credit_card_id ON implicit_credit (card_id);

CREATE INDEX ix_implicit_credit_at ON implicit_credit (at);

CREATE INDEX ix_credit_observation_card_id ON credit_observation (card_id);

CREATE INDEX ix_credit_probe_card_id ON credit_probe (card_id);

CREATE INDEX ix_review_pack_question_at ON review (pack, question_id, reviewed_at);

CREATE TRIGGER review_summary_insert AFTER INSERT ON review BEGIN INSERT INTO review_hour (pack, hour, answers, correct) VALUES (NEW.pack, substr(NEW.reviewed_at, 1, 13), 1, (CASE WHEN NEW.correct IS NULL THEN NEW.rating > 1 WHEN NEW.correct THEN 1 ELSE 0 END)) ON CONFLICT(pack, hour) DO UPDATE SET answers = answers + 1, correct = correct + excluded.correct; INSERT INTO review_tally (pack, question_id, topic_id, answers, passed) VALUES (NEW.pack, NEW.question_id, NEW.topic_id, 1, NEW.rating > 1) ON CONFLICT(pack, question_id, topic_id) DO UPDATE SET answers = answers + 1, passed = passed + excluded.passed; END;

CREATE TRIGGER review_summary_delete AFTER DELETE ON review BEGIN UPDATE review_hour SET answers = answers - 1, correct = correct - (CASE WHEN OLD.correct IS NULL THEN OLD.rating > 1 WHEN OLD.correct THEN 1 ELSE 0 END) WHERE pack = OLD.pack AND hour = substr(OLD.reviewed_at, 1, 13); DELETE FROM review_hour WHERE pack = OLD.pack AND hour = substr(OLD.reviewed_at, 1, 13) AND answers <= 0; UPDATE review_tally SET answers = answers - 1, passed = passed - (OLD.rating > 1) WHERE pack = OLD.pack AND question_id = OLD.question_id AND topic_id = OLD.topic_id; DELETE FROM review_tally WHERE pack = OLD.pack AND question_id = OLD.question_id AND topic_id = OLD.topic_id AND answers <= 0; END;

CREATE TRIGGER review_summary_update AFTER UPDATE OF pack, question_id, topic_id, reviewed_at, rating, correct ON review BEGIN UPDATE review_hour SET answers = answers - 1, correct = correct - (CASE WHEN OLD.correct IS NULL THEN OLD.rating > 1 WHEN OLD.correct THEN 1 ELSE 0 END) WHERE pack = OLD.pack AND hour = substr(OLD.reviewed_at, 1, 13); DELETE FROM review_hour WHERE pack = OLD.pack AND hour = substr(OLD.reviewed_at, 1, 13) AND answers <= 0; UPDATE review_tally SET answers = answers - 1, passed = passed - (OLD.rating > 1) WHERE pack = OLD.pack AND question_id = OLD.question_id AND topic_id = OLD.topic_id; DELETE FROM review_tally WHERE pack = OLD.pack AND question_id = OLD.question_id AND topic_id = OLD.topic_id AND answers <= 0; INSERT INTO review_hour (pack, hour, answers, correct) VALUES (NEW.pack, substr(NEW.reviewed_at, 1, 13), 1, (CASE WHEN NEW.correct IS NULL THEN NEW.rating > 1 WHEN NEW.correct THEN 1 ELSE 0 END)) ON CONFLICT(pack, hour) DO UPDATE SET answers = answers + 1, correct = correct + excluded.correct; INSERT INTO review_tally (pack, question_id, topic_id, answers, passed) VALUES (NEW.pack, NEW.question_id, NEW.topic_id, 1, NEW.rating > 1) ON CONFLICT(pack, question_id, topic_id) DO UPDATE SET answers = answers + 1, passed = passed + excluded.passed; END;
