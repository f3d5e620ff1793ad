"""Numbered, append-only, transactional schema migrations.

Never edit a migration that has shipped: add a new one at the end. Each is a list of
statements run in one transaction together with its row in `schema_migrations`.
`{pk}` stands for the dialect's auto-increment primary key (see `db.py`).
Timestamps are ISO 8601 UTC text; dates are ISO `YYYY-MM-DD` text.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.db import Database


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
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
)


async def applied_versions(db: Database) -> set[int]:
    async with db.transaction() as tx:
        await tx.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )"""
        )
        rows = await tx.fetch_all("SELECT version FROM schema_migrations")
    return {int(r[0]) for r in rows}


async def migrate(db: Database, now_iso: str) -> list[int]:
    """Applies every migration not yet applied, in order. Returns the versions applied."""
    done = await applied_versions(db)
    applied: list[int] = []
    for migration in MIGRATIONS:
        if migration.version in done:
            continue
        async with db.transaction() as tx:
            if await tx.fetch_value(  # another worker, starting at the same time, did it
                "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", (migration.version,)
            ):
                continue
            for statement in migration.statements:
                await tx.execute(db.render(statement))
            await tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, now_iso),
            )
        applied.append(migration.version)
    return applied
