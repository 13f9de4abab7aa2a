//! The schema, as numbered migrations applied in order and recorded in `PRAGMA user_version`.
//! A migration is never edited once released: changes are new migrations.

use rusqlite::Connection;

/// Each entry takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: messages, their segments, receipts, inbound messages, events, consent.
    "
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        created_at INTEGER NOT NULL,      -- unix milliseconds
        updated_at INTEGER NOT NULL,
        to_number TEXT NOT NULL,          -- normalised: +E164 or a short code
        from_addr TEXT NOT NULL,
        text TEXT,                        -- NULL once purged by retention
        encoding TEXT NOT NULL,
        link TEXT NOT NULL,
        dlr INTEGER NOT NULL,
        state TEXT NOT NULL,              -- queued submitted delivered undeliverable expired
                                          -- deleted rejected failed unknown
        error TEXT,
        segments INTEGER NOT NULL,
        idem_key TEXT,
        idem_hash TEXT,
        validity_until INTEGER
    );
    CREATE INDEX messages_to ON messages(to_number, id);
    CREATE UNIQUE INDEX messages_key ON messages(idem_key) WHERE idem_key IS NOT NULL;
    CREATE INDEX messages_open ON messages(state) WHERE state = 'queued';

    CREATE TABLE segments (
        message_id INTEGER NOT NULL REFERENCES messages(id),
        part INTEGER NOT NULL,
        pdu BLOB NOT NULL,                -- the encoded submit_sm, resent as is after a restart
        link TEXT NOT NULL,
        smsc_id TEXT,                     -- as submit_sm_resp gave it
        smsc_key TEXT,                    -- normalised for receipt lookup (dlr::lookup_key)
        state TEXT NOT NULL,              -- queued submitted delivered ... failed rejected
        error TEXT,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (message_id, part)
    ) WITHOUT ROWID;
    CREATE INDEX segments_smsc ON segments(link, smsc_key) WHERE smsc_key IS NOT NULL;

    CREATE TABLE receipts (
        id INTEGER PRIMARY KEY,
        link TEXT NOT NULL,
        smsc_key TEXT NOT NULL,
        state TEXT NOT NULL,
        error TEXT,
        at INTEGER NOT NULL,
        message_id INTEGER,               -- NULL until matched
        part INTEGER
    );
    CREATE INDEX receipts_unmatched ON receipts(link, smsc_key) WHERE message_id IS NULL;

    CREATE TABLE inbound (
        id INTEGER PRIMARY KEY,
        link TEXT NOT NULL,
        from_number TEXT NOT NULL,
        to_addr TEXT NOT NULL,
        text TEXT,
        at INTEGER NOT NULL,
        incomplete INTEGER NOT NULL
    );
    CREATE INDEX inbound_from ON inbound(from_number, id);

    CREATE TABLE events (
        event_id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,               -- dlr | mo
        body TEXT NOT NULL                -- the event's JSON line, event_id added on output
    );

    CREATE TABLE opt_outs (
        number TEXT PRIMARY KEY,
        since INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE consent_audit (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL,
        action TEXT NOT NULL,             -- opt_out | opt_in
        cause TEXT NOT NULL,              -- keyword | manual
        inbound_id INTEGER,
        at INTEGER NOT NULL
    );
    ",
    // 2: parts of concatenated inbound messages, stored before they are acknowledged and
    // deleted when their message is stored.
    "
    CREATE TABLE mo_parts (
        id INTEGER PRIMARY KEY,
        link TEXT NOT NULL,
        sender TEXT NOT NULL,             -- normalised, as the reassembler keys it
        recipient TEXT NOT NULL,
        data_coding INTEGER NOT NULL,
        esm_class INTEGER NOT NULL,
        payload BLOB NOT NULL,            -- short_message or message_payload, UDH included
        sar_reference INTEGER,            -- the sar_* TLVs, when the part had them
        sar_total INTEGER,
        sar_seq INTEGER,
        at INTEGER NOT NULL
    );
    ",
    // 3: the work still to send is found by segment. A segment's acceptance leaves its
    // message row alone: a message stays `queued` in the row until it is final, and reads as
    // `submitted` once none of its segments is queued (see `db::messages`). That spares every
    // acceptance an update of the message row and of an index on it.
    "
    DROP INDEX messages_open;
    CREATE INDEX segments_open ON segments(message_id) WHERE state = 'queued';
    ",
];

/// Brings `conn` to the newest schema, each migration in its own transaction.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<u32> {
    migrate_to(conn, MIGRATIONS.len() as u32)
}

/// Brings `conn` to schema `target` (at most the newest), each migration in its own
/// transaction. Tests make files of older versions with it.
pub fn migrate_to(conn: &mut Connection, target: u32) -> rusqlite::Result<u32> {
    let target = target.min(MIGRATIONS.len() as u32);
    let mut version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    while version < target {
        let tx = conn.transaction()?;
        tx.execute_batch(MIGRATIONS[version as usize])?;
        version += 1;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(version)
}
