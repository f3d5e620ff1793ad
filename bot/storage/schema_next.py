"""Migrations from 6 on. New migrations go at the end of NEXT, numbered one after the last;
never edit one that has shipped (see `bot/storage/migrations.py`)."""

from __future__ import annotations

from bot.storage.migration import Migration

NEXT: tuple[Migration, ...] = (
    Migration(
        6,
        "markets added by officers, market reports, their photos and moderation",
        (
            """CREATE TABLE markets (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                commune_code TEXT NOT NULL,
                kind TEXT NOT NULL DEFAULT 'market',
                created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
                created_at TEXT NOT NULL
            )""",
            """CREATE TABLE model_points (
                market_id TEXT PRIMARY KEY,
                model_point INTEGER NOT NULL,
                marked_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
                marked_at TEXT NOT NULL
            )""",
            """CREATE TABLE reports (
                id {pk},
                user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
                market_id TEXT NOT NULL,
                commune_code TEXT NOT NULL,
                answers TEXT NOT NULL,
                photos TEXT NOT NULL,
                note TEXT NOT NULL DEFAULT '',
                latitude REAL,
                longitude REAL,
                status TEXT NOT NULL,
                day TEXT NOT NULL,
                created_at TEXT NOT NULL,
                decided_at TEXT
            )""",
            "CREATE INDEX reports_status ON reports (status, commune_code)",
            "CREATE INDEX reports_user_day ON reports (user_id, day)",
            "CREATE INDEX reports_market ON reports (market_id, status)",
            """CREATE TABLE report_decisions (
                id {pk},
                report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
                decision TEXT NOT NULL,
                reason TEXT NOT NULL DEFAULT '',
                decided_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
                decided_at TEXT NOT NULL
            )""",
            "CREATE INDEX report_decisions_report ON report_decisions (report_id)",
            """CREATE TABLE reporters (
                user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                trusted INTEGER NOT NULL DEFAULT 0,
                banned INTEGER NOT NULL DEFAULT 0,
                set_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
                set_at TEXT NOT NULL
            )""",
        ),
    ),
    Migration(
        7,
        "the form of address a person chose (bạn or ông/bà)",
        ("ALTER TABLE users ADD COLUMN address_form TEXT",),
    ),
    Migration(
        8,
        "officers: class campaign figures kept per school and year, logged activities, "
        "denominators, yearly reports made",
        (
            # Kept as classes open, members join and are reached (bot.storage.summaries), so
            # that a province's figures never count 200,000 member rows.
            """CREATE TABLE school_year_figures (
                school_id INTEGER NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
                school_year TEXT NOT NULL,
                classes INTEGER NOT NULL DEFAULT 0,
                activities INTEGER NOT NULL DEFAULT 0,
                class_enrolled INTEGER NOT NULL DEFAULT 0,
                joined INTEGER NOT NULL DEFAULT 0,
                reached INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (school_id, school_year)
            )""",
            """CREATE TABLE school_month_reach (
                school_id INTEGER NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
                school_year TEXT NOT NULL,
                month INTEGER NOT NULL,
                reached INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (school_id, school_year, month)
            )""",
            """INSERT INTO school_year_figures
                   (school_id, school_year, classes, activities, class_enrolled)
               SELECT school_id, school_year, COUNT(*),
                      SUM(CASE WHEN activity_type IS NULL THEN 0 ELSE 1 END), SUM(enrolled)
               FROM classes GROUP BY school_id, school_year""",
            """UPDATE school_year_figures SET joined = (
                   SELECT COUNT(*) FROM class_members m JOIN classes c ON c.id = m.class_id
                   WHERE c.school_id = school_year_figures.school_id
                     AND c.school_year = school_year_figures.school_year)""",
            # A person reached in two classes of a year counts once: in the first.
            """CREATE TEMPORARY TABLE first_reach AS
               SELECT c.school_id, c.school_year, CAST(substr(m.reached_at, 6, 2) AS INTEGER)
                      AS month
               FROM class_members m JOIN classes c ON c.id = m.class_id
               WHERE m.reached_at IS NOT NULL AND (m.user_id IS NULL OR NOT EXISTS (
                   SELECT 1 FROM class_members o JOIN classes oc ON oc.id = o.class_id
                   WHERE o.user_id = m.user_id AND oc.school_year = c.school_year
                     AND o.reached_at IS NOT NULL
                     AND (o.reached_at < m.reached_at
                          OR (o.reached_at = m.reached_at AND o.id < m.id))))""",
            """UPDATE school_year_figures SET reached = (
                   SELECT COUNT(*) FROM first_reach f
                   WHERE f.school_id = school_year_figures.school_id
                     AND f.school_year = school_year_figures.school_year)""",
            """INSERT INTO school_month_reach (school_id, school_year, month, reached)
               SELECT school_id, school_year, month, COUNT(*) FROM first_reach
               GROUP BY school_id, school_year, month""",
            "DROP TABLE first_reach",
            """CREATE TABLE activities (
                id {pk},
                day TEXT NOT NULL,
                task_id TEXT NOT NULL,
                lead_agency TEXT NOT NULL,
                commune_code TEXT,
                kind TEXT NOT NULL,
                participants INTEGER NOT NULL DEFAULT 0,
                audiences TEXT NOT NULL DEFAULT '{{}}',
                note TEXT NOT NULL DEFAULT '',
                photo TEXT,
                created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
                created_at TEXT NOT NULL
            )""",
            "CREATE INDEX activities_day ON activities (day, commune_code)",
            """CREATE TABLE denominators (
                kind TEXT NOT NULL,
                scope TEXT NOT NULL DEFAULT '',
                value INTEGER NOT NULL,
                set_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
                set_at TEXT NOT NULL,
                PRIMARY KEY (kind, scope)
            )""",
            """CREATE INDEX users_subscribed ON users (commune_code)
               WHERE tip_time IS NOT NULL AND reachable = 1 AND consent_at IS NOT NULL""",
            """CREATE TABLE annual_reports (
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                year INTEGER NOT NULL,
                made_at TEXT NOT NULL,
                PRIMARY KEY (user_id, year)
            )""",
        ),
    ),
    Migration(
        9,
        "the durable inbox, the answers to send, wrong codes counted; media files know whose",
        (
            """CREATE TABLE inbox (
                id {pk},
                channel TEXT NOT NULL,
                update_key TEXT NOT NULL,
                person TEXT NOT NULL,
                payload TEXT,
                status TEXT NOT NULL DEFAULT 'new',
                received_at TEXT NOT NULL,
                UNIQUE (channel, update_key)
            )""",
            "CREATE INDEX inbox_waiting ON inbox (status, channel, person, id)",
            "CREATE INDEX inbox_age ON inbox (received_at)",
            "ALTER TABLE media ADD COLUMN channel TEXT",
            "ALTER TABLE media ADD COLUMN chat_id TEXT",
            "CREATE INDEX media_owner ON media (channel, chat_id)",
            """CREATE TABLE answers (
                id {pk},
                channel TEXT NOT NULL,
                address TEXT NOT NULL,
                replies TEXT NOT NULL,
                parts INTEGER NOT NULL DEFAULT 0,
                attempts INTEGER NOT NULL DEFAULT 0,
                status TEXT NOT NULL DEFAULT 'sending',
                created_at TEXT NOT NULL,
                not_before TEXT NOT NULL
            )""",
            "CREATE INDEX answers_due ON answers (status, not_before)",
            """CREATE TABLE code_misses (
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                at TEXT NOT NULL
            )""",
            "CREATE INDEX code_misses_user ON code_misses (user_id, at)",
        ),
    ),
    Migration(
        10,
        "the delivery outbox remembers how many messages of a split delivery were sent",
        ("ALTER TABLE deliveries ADD COLUMN parts INTEGER NOT NULL DEFAULT 0",),
    ),
    Migration(
        11,
        "officers: market reports and officers read from indexes; yearly reports know their body",
        (
            """CREATE INDEX reports_market_day
               ON reports (market_id, commune_code, day, status)""",
            # A yearly report is its body's (agency, commune): task 4 of the plan counts it per
            # body, and it outlives its maker's account (erasing it only forgets who made it).
            """CREATE TABLE annual_reports_by_body (
                id {pk},
                user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
                year INTEGER NOT NULL,
                made_at TEXT NOT NULL,
                agency TEXT NOT NULL,
                commune_code TEXT,
                UNIQUE (user_id, year)
            )""",
            """INSERT INTO annual_reports_by_body (user_id, year, made_at, agency, commune_code)
               SELECT r.user_id, r.year, r.made_at, u.officer_agency, u.officer_commune
               FROM annual_reports r JOIN users u ON u.id = r.user_id
               WHERE u.officer_agency IS NOT NULL""",
            "DROP TABLE annual_reports",
            "ALTER TABLE annual_reports_by_body RENAME TO annual_reports",
            "CREATE INDEX annual_reports_year ON annual_reports (year, agency, commune_code)",
            # The bodies that have an officer, without reading every resident's row.
            """CREATE INDEX users_officers ON users (officer_agency, officer_commune)
               WHERE officer_agency IS NOT NULL""",
        ),
    ),
    Migration(
        12,
        "workers side by side: a person's updates leased to one worker; answers being sent leased",
        (
            # Who handles a person's stored updates, until when (bot/storage/leases.py).
            """CREATE TABLE person_leases (
                channel TEXT NOT NULL,
                person TEXT NOT NULL,
                worker TEXT NOT NULL,
                until TEXT NOT NULL,
                PRIMARY KEY (channel, person)
            )""",
            "CREATE INDEX person_leases_worker ON person_leases (worker)",
            # An answer being sent ('sending') belongs to its worker until then; after it,
            # another worker's scheduler sends it (its worker died).
            "ALTER TABLE answers ADD COLUMN lease_until TEXT",
        ),
    ),
    Migration(
        13,
        "report photos may live in the database (BOT_PHOTO_STORE=database), for every worker",
        (
            # Named by the SHA-256 of the stored JPEG (bot/storage/photos.py); no owner column:
            # a photo is kept while a report or a draft names it (reports.photo_in_use).
            """CREATE TABLE photos (
                name TEXT PRIMARY KEY,
                data BLOB NOT NULL
            )""",
        ),
    ),
)
