"""The first migrations, 1 to 5 (the foundation through the officers' tables). Shipped:
never edit them; new migrations go at the end of `bot/storage/schema_next.py`."""

from __future__ import annotations

from bot.storage.migration import Migration

FIRST: tuple[Migration, ...] = (
    Migration(
        1,
        "users, conversations, invites, deliveries, counters",
        (
            """CREATE TABLE users (
                id {pk},
                channel TEXT NOT NULL,
                channel_user_id TEXT NOT NULL,
                chat_id TEXT NOT NULL,
                created_at TEXT NOT NULL,
                consent_at TEXT,
                locale TEXT,
                audience TEXT,
                school_level TEXT,
                age_band TEXT,
                commune_code TEXT,
                officer_agency TEXT,
                officer_commune TEXT,
                tip_time TEXT,
                tip_since TEXT,
                reachable INTEGER NOT NULL DEFAULT 1,
                onboarded_at TEXT,
                UNIQUE (channel, channel_user_id)
            )""",
            """CREATE TABLE conversations (
                user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                state TEXT NOT NULL DEFAULT '',
                data TEXT NOT NULL DEFAULT '{{}}',
                choices TEXT NOT NULL DEFAULT '[]',
                updated_at TEXT NOT NULL
            )""",
            """CREATE TABLE tips_seen (
                id {pk},
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                tip_id TEXT NOT NULL,
                seen_at TEXT NOT NULL
            )""",
            "CREATE INDEX tips_seen_user ON tips_seen (user_id, seen_at)",
            """CREATE TABLE invites (
                id {pk},
                code_hash TEXT NOT NULL UNIQUE,
                role TEXT NOT NULL,
                agency TEXT,
                commune_code TEXT,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                used_at TEXT,
                used_by INTEGER REFERENCES users (id) ON DELETE SET NULL
            )""",
            """CREATE TABLE deliveries (
                id {pk},
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                day TEXT NOT NULL,
                payload TEXT NOT NULL DEFAULT '',
                status TEXT NOT NULL DEFAULT 'pending',
                attempts INTEGER NOT NULL DEFAULT 0,
                not_before TEXT NOT NULL,
                created_at TEXT NOT NULL,
                sent_at TEXT,
                error TEXT,
                UNIQUE (user_id, kind, day)
            )""",
            "CREATE INDEX deliveries_due ON deliveries (status, not_before)",
            """CREATE TABLE counters (
                metric TEXT NOT NULL,
                period TEXT NOT NULL,
                commune_code TEXT NOT NULL DEFAULT '',
                audience TEXT NOT NULL DEFAULT '',
                value INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (metric, period, commune_code, audience)
            )""",
        ),
    ),
    Migration(
        2,
        "schools, teachers, classes, quizzes, contests",
        (
            """CREATE TABLE schools (
                id {pk},
                name TEXT NOT NULL,
                folded_name TEXT NOT NULL,
                level TEXT NOT NULL,
                commune_code TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'active',
                created_at TEXT NOT NULL,
                UNIQUE (commune_code, folded_name)
            )""",
            """CREATE TABLE school_enrolments (
                school_id INTEGER NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
                grade TEXT NOT NULL,
                students INTEGER NOT NULL,
                PRIMARY KEY (school_id, grade)
            )""",
            """CREATE TABLE teachers (
                user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                school_id INTEGER NOT NULL REFERENCES schools (id),
                subject TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending',
                decided_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
                decided_at TEXT,
                created_at TEXT NOT NULL
            )""",
            """CREATE TABLE classes (
                id {pk},
                school_id INTEGER NOT NULL REFERENCES schools (id),
                teacher_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
                name TEXT NOT NULL,
                level TEXT NOT NULL,
                enrolled INTEGER NOT NULL,
                activity_type TEXT,
                starts_on TEXT,
                ends_on TEXT,
                school_year TEXT NOT NULL,
                join_code TEXT NOT NULL UNIQUE,
                consent_collected INTEGER NOT NULL DEFAULT 0,
                status TEXT NOT NULL DEFAULT 'open',
                created_at TEXT NOT NULL
            )""",
            """CREATE TABLE class_members (
                id {pk},
                class_id INTEGER NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
                user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
                number INTEGER NOT NULL,
                nickname TEXT,
                joined_at TEXT NOT NULL,
                reached_at TEXT,
                leaderboard_opt_in INTEGER NOT NULL DEFAULT 0,
                UNIQUE (class_id, number)
            )""",
            "CREATE UNIQUE INDEX class_members_user ON class_members (class_id, user_id)",
            """CREATE TABLE contests (
                id {pk},
                name TEXT NOT NULL,
                created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
                level TEXT NOT NULL,
                activity_type TEXT NOT NULL DEFAULT 'contest',
                question_ids TEXT NOT NULL,
                starts_at TEXT NOT NULL,
                ends_at TEXT NOT NULL,
                school_year TEXT NOT NULL,
                created_at TEXT NOT NULL
            )""",
            """CREATE TABLE contest_classes (
                contest_id INTEGER NOT NULL REFERENCES contests (id) ON DELETE CASCADE,
                class_id INTEGER NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
                PRIMARY KEY (contest_id, class_id)
            )""",
            """CREATE TABLE quiz_attempts (
                id {pk},
                user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
                member_id INTEGER REFERENCES class_members (id) ON DELETE SET NULL,
                contest_id INTEGER REFERENCES contests (id) ON DELETE SET NULL,
                level TEXT NOT NULL,
                question_ids TEXT NOT NULL,
                answers TEXT NOT NULL DEFAULT '[]',
                score INTEGER NOT NULL DEFAULT 0,
                status TEXT NOT NULL DEFAULT 'active',
                school_year TEXT NOT NULL,
                started_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                finished_at TEXT
            )""",
            "CREATE INDEX quiz_attempts_user ON quiz_attempts (user_id, status)",
            "ALTER TABLE users ADD COLUMN reached_year TEXT",
        ),
    ),
    Migration(
        3,
        "de-duplication of incoming platform messages; media served by the bot",
        (
            """CREATE TABLE channel_seen (
                channel TEXT NOT NULL,
                message_id TEXT NOT NULL,
                seen_at TEXT NOT NULL,
                PRIMARY KEY (channel, message_id)
            )""",
            "CREATE INDEX channel_seen_age ON channel_seen (channel, seen_at)",
            """CREATE TABLE media (
                token TEXT PRIMARY KEY,
                mime_type TEXT NOT NULL,
                filename TEXT NOT NULL,
                data BLOB NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL
            )""",
        ),
    ),
    Migration(
        4,
        "indexes for class figures, contests and class membership look-ups",
        (
            "CREATE INDEX quiz_attempts_member ON quiz_attempts (member_id, status)",
            "CREATE INDEX quiz_attempts_contest ON quiz_attempts (contest_id, status)",
            "CREATE INDEX class_members_user_id ON class_members (user_id)",
            "CREATE INDEX classes_teacher ON classes (teacher_id)",
            "CREATE INDEX classes_year ON classes (school_year, school_id)",
            "CREATE INDEX contest_classes_class ON contest_classes (class_id)",
        ),
    ),
    Migration(
        5,
        "a trader's market; pledges and their weekly check-ins",
        (
            "ALTER TABLE users ADD COLUMN market_id TEXT",
            """CREATE TABLE pledges (
                id {pk},
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                pledge_key TEXT NOT NULL,
                weeks INTEGER,
                status TEXT NOT NULL DEFAULT 'active',
                start_day TEXT NOT NULL,
                streak INTEGER NOT NULL DEFAULT 0,
                kept INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL,
                ended_at TEXT
            )""",
            "CREATE INDEX pledges_user ON pledges (user_id, status)",
            "CREATE INDEX pledges_status ON pledges (status, start_day)",
            """CREATE TABLE pledge_checkins (
                id {pk},
                pledge_id INTEGER NOT NULL REFERENCES pledges (id) ON DELETE CASCADE,
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                week INTEGER NOT NULL,
                due_day TEXT NOT NULL,
                created_at TEXT NOT NULL,
                asked_at TEXT,
                answer TEXT,
                answered_at TEXT,
                UNIQUE (pledge_id, week)
            )""",
            "CREATE INDEX pledge_checkins_user ON pledge_checkins (user_id, answer)",
        ),
    ),
)
