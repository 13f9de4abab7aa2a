//! The store on a real SQLite file in a temporary directory.

use super::*;
use crate::config::DlrPart;

fn message(to: &str, parts: usize, key: Option<(&str, &str)>) -> NewMessage {
    NewMessage {
        to: to.into(),
        from: "ACME".into(),
        text: "Your order shipped".into(),
        encoding: "gsm7".into(),
        link: "carrier".into(),
        dlr: true,
        key: key.map(|(k, h)| (k.into(), h.into())),
        validity_until: None,
        segments: (0..parts).map(|p| vec![p as u8; 3]).collect(),
    }
}

fn receipt(id: &str, state: &str, dlr_part: DlrPart) -> NewReceipt {
    NewReceipt {
        link: "carrier".into(),
        candidates: vec![id.into()],
        state: state.into(),
        is_final: true,
        error: None,
        dlr_part,
    }
}

/// One receipt, through the batch write the daemon uses.
async fn record_receipt(store: &Store, r: NewReceipt) -> Result<ReceiptOutcome, StoreError> {
    let mut outcomes = store.record_receipts(vec![r]).await?;
    outcomes.pop().expect("one outcome per receipt")
}

async fn insert(store: &Store, m: NewMessage) -> i64 {
    match store.insert_message(m).await.unwrap() {
        Inserted::New { id } => id,
        other => panic!("not new: {other:?}"),
    }
}

#[tokio::test]
async fn a_message_goes_from_queued_to_submitted_to_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let id = insert(&store, message("+447700900123", 1, None)).await;
    assert_eq!(store.message(id).await.unwrap().unwrap().state, "queued");
    store
        .segment_accepted(
            id,
            0,
            "carrier".into(),
            "0A1B".into(),
            "a1b".into(),
            DlrPart::All,
        )
        .await
        .unwrap();
    let status = store.message(id).await.unwrap().unwrap();
    assert_eq!(status.state, "submitted");
    assert_eq!(status.segments[0].smsc_id.as_deref(), Some("0A1B"));
    let outcome = record_receipt(&store, receipt("a1b", "delivered", DlrPart::All))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        ReceiptOutcome::Matched {
            id,
            state: "delivered".into()
        }
    );
    let events = store.events_since(0, vec![], 10).await.unwrap();
    assert_eq!(events.len(), 1);
    let body: serde_json::Value = serde_json::from_str(&events[0].body).unwrap();
    assert_eq!(body["state"], "delivered");
    assert_eq!(body["id"], id.to_string());
    assert!(events[0].event_id > 0);
}

#[tokio::test]
async fn a_receipt_before_the_response_is_matched_when_the_id_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let id = insert(&store, message("+447700900123", 1, None)).await;
    let early = record_receipt(&store, receipt("77", "delivered", DlrPart::All))
        .await
        .unwrap();
    assert_eq!(early, ReceiptOutcome::Unmatched);
    assert_eq!(store.unmatched_receipts().await.unwrap(), 1);
    store
        .segment_accepted(
            id,
            0,
            "carrier".into(),
            "77".into(),
            "77".into(),
            DlrPart::All,
        )
        .await
        .unwrap();
    assert_eq!(store.message(id).await.unwrap().unwrap().state, "delivered");
    assert_eq!(store.unmatched_receipts().await.unwrap(), 0);
}

#[tokio::test]
async fn multi_part_state_follows_the_links_dlr_part_rule() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for (rule, receipts, expected) in [
        (DlrPart::All, &[("delivered", 0)][..], "submitted"),
        (
            DlrPart::All,
            &[("delivered", 0), ("delivered", 1), ("delivered", 2)][..],
            "delivered",
        ),
        (
            DlrPart::All,
            &[("delivered", 0), ("undeliverable", 1)][..],
            "undeliverable",
        ),
        (DlrPart::First, &[("delivered", 0)][..], "delivered"),
        (DlrPart::Last, &[("delivered", 0)][..], "submitted"),
        (DlrPart::Last, &[("expired", 2)][..], "expired"),
    ] {
        let id = insert(&store, message("+447700900123", 3, None)).await;
        for part in 0..3u16 {
            let smsc = format!("{id}-{part}");
            store
                .segment_accepted(id, part, "carrier".into(), smsc.clone(), smsc, rule)
                .await
                .unwrap();
        }
        for (state, part) in receipts {
            record_receipt(&store, receipt(&format!("{id}-{part}"), state, rule))
                .await
                .unwrap();
        }
        let got = store.message(id).await.unwrap().unwrap().state;
        assert_eq!(got, expected, "{rule:?} {receipts:?}");
    }
}

#[tokio::test]
async fn idempotency_keys_return_the_first_answer_or_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let id = insert(&store, message("+447700900123", 2, Some(("k1", "h1")))).await;
    assert_eq!(
        store
            .insert_message(message("+447700900123", 2, Some(("k1", "h1"))))
            .await
            .unwrap(),
        Inserted::Earlier(Earlier::Duplicate {
            id,
            segments: 2,
            encoding: "gsm7".into()
        })
    );
    assert_eq!(
        store
            .insert_message(message("+447700900123", 2, Some(("k1", "h2"))))
            .await
            .unwrap(),
        Inserted::Earlier(Earlier::KeyConflict)
    );
}

#[tokio::test]
async fn failures_fail_the_message_with_an_event() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let id = insert(&store, message("+447700900123", 1, None)).await;
    store
        .segment_failed(
            id,
            0,
            "refused by the SMSC with ESME_RINVDSTADR".into(),
            true,
        )
        .await
        .unwrap();
    let status = store.message(id).await.unwrap().unwrap();
    assert_eq!(status.state, "rejected");
    assert!(status.error.unwrap().contains("RINVDSTADR"));
    let events = store.events_since(0, vec!["dlr".into()], 10).await.unwrap();
    let body: serde_json::Value = serde_json::from_str(&events[0].body).unwrap();
    assert_eq!(body["state"], "rejected");
    assert!(
        store
            .events_since(0, vec!["mo".into()], 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn inbound_history_and_consent_with_audit() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let number = "+447700900123";
    let out = insert(&store, message(number, 1, None)).await;
    let inbound = store
        .insert_inbound(NewInbound {
            link: "carrier".into(),
            from: number.into(),
            to: "2222".into(),
            text: "STOP".into(),
            incomplete: false,
            opt_out: Some(true),
            parts: Vec::new(),
        })
        .await
        .unwrap();
    assert!(store.is_opted_out(number.into()).await.unwrap());
    store
        .set_opt_out(number.into(), false, "manual".into())
        .await
        .unwrap();
    assert!(!store.is_opted_out(number.into()).await.unwrap());
    let audit = store.consent_audit(number.into()).await.unwrap();
    assert_eq!(audit.len(), 2);
    assert_eq!(
        (audit[0].0.as_str(), audit[0].1.as_str(), audit[0].2),
        ("opt_out", "keyword", Some(inbound))
    );
    assert_eq!(
        (audit[1].0.as_str(), audit[1].1.as_str()),
        ("opt_in", "manual")
    );
    let history = store.history(number.into(), 50).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!((history[0].direction, history[0].id), ("out", out));
    assert_eq!(
        (history[1].direction, history[1].text.as_deref()),
        ("in", Some("STOP"))
    );
    assert_eq!(
        store.history(number.into(), 1).await.unwrap()[0].direction,
        "in"
    );
}

#[tokio::test]
async fn unfinished_messages_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b);
    {
        let store = Store::open(dir.path()).unwrap();
        a = insert(
            &store,
            NewMessage {
                validity_until: Some(1_900_000_000_000),
                ..message("+447700900123", 2, None)
            },
        )
        .await;
        b = insert(&store, message("+447700900124", 1, None)).await;
        store
            .segment_accepted(a, 0, "carrier".into(), "1".into(), "1".into(), DlrPart::All)
            .await
            .unwrap();
        store
            .segment_accepted(b, 0, "carrier".into(), "2".into(), "2".into(), DlrPart::All)
            .await
            .unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    let unfinished = store.unfinished().await.unwrap();
    assert_eq!(
        unfinished,
        vec![ResumeMessage {
            id: a,
            link: "carrier".into(),
            segments: vec![(1, vec![1, 1, 1])],
            validity_until: Some(1_900_000_000_000),
        }]
    );
}

#[tokio::test]
async fn concurrent_writes_share_commits() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let before = store.commits();
    let tasks: Vec<_> = (0..500)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                insert(&store, message(&format!("+4477009{i:05}"), 1, None)).await
            })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 500);
    let commits = store.commits() - before;
    assert!(
        commits < 500,
        "{commits} commits for 500 concurrent inserts: no grouping"
    );
}

#[tokio::test]
async fn retention_blanks_old_text_but_keeps_the_message() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let id = insert(&store, message("+447700900123", 1, None)).await;
    store
        .insert_inbound(NewInbound {
            link: "carrier".into(),
            from: "+447700900123".into(),
            to: "2222".into(),
            text: "My new address is 12 High Street".into(),
            incomplete: false,
            opt_out: None,
            parts: Vec::new(),
        })
        .await
        .unwrap();
    let event_text = |events: &[StoredEvent]| {
        let body: serde_json::Value = serde_json::from_str(&events[0].body).unwrap();
        body["text"].as_str().unwrap().to_owned()
    };
    assert_eq!(store.purge_text_older_than(1).await.unwrap(), 0);
    let events = store.events_since(0, vec!["mo".into()], 10).await.unwrap();
    assert_eq!(event_text(&events), "My new address is 12 High Street");
    assert_eq!(store.purge_text_older_than(0).await.unwrap(), 2);
    let history = store.history("+447700900123".into(), 5).await.unwrap();
    assert_eq!((history[0].id, history[0].text.as_ref()), (id, None));
    assert_eq!(history[1].text, None);
    // The subscribers' copy is blanked too, and still reads as an event.
    let events = store.events_since(0, vec!["mo".into()], 10).await.unwrap();
    assert_eq!(event_text(&events), "");
    let event: crate::api::protocol::Event = serde_json::from_str(&events[0].body).unwrap();
    assert!(matches!(event, crate::api::protocol::Event::Mo(_)));
}

/// Message `id`'s one segment accepted by the SMSC with id 1A2B (hex).
fn accepted_as_1a2b(id: i64, format: crate::config::MessageIdFormat) -> SegmentOutcome {
    SegmentOutcome::Accepted {
        id,
        part: 0,
        link: "carrier".into(),
        smsc_id: "1A2B".into(),
        smsc_key: crate::dlr::lookup_key("1A2B"),
        id_format: format,
        dlr_part: DlrPart::All,
    }
}

/// A one-segment message whose receipts (`(id quoted, state)`, in order) all arrive before
/// its submit_sm_resp gives it the id 1A2B; its state once the acceptance is recorded.
async fn state_after_early_receipts(receipts: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let id = insert(&store, message("+447700900123", 1, None)).await;
    let format = crate::config::MessageIdFormat::Auto;
    for (quoted, state) in receipts {
        let mut early = receipt("", state, DlrPart::All);
        early.candidates = crate::dlr::receipt_candidates(quoted, format);
        assert_eq!(
            record_receipt(&store, early).await.unwrap(),
            ReceiptOutcome::Unmatched
        );
    }
    store
        .record_outcomes(vec![accepted_as_1a2b(id, format)])
        .await
        .unwrap();
    store.message(id).await.unwrap().unwrap().state
}

#[tokio::test]
async fn an_early_receipt_in_the_other_base_is_matched() {
    // The receipt quotes 6699 (decimal) before the response gives 1A2B (hex).
    assert_eq!(
        state_after_early_receipts(&[("6699", "delivered")]).await,
        "delivered"
    );
}

#[tokio::test]
async fn an_early_receipt_quoting_the_id_as_given_wins_over_one_in_the_other_base() {
    // Two receipts wait: the first quotes 6699 (1A2B in decimal), the second 1A2B itself.
    assert_eq!(
        state_after_early_receipts(&[("6699", "undeliverable"), ("1A2B", "delivered")]).await,
        "delivered"
    );
}

#[tokio::test]
async fn an_early_receipt_waits_for_its_own_links_acceptance_in_a_batch_of_several_links() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let format = crate::config::MessageIdFormat::Auto;
    let on_carrier = insert(&store, message("+447700900123", 1, None)).await;
    let mut other = message("+447700900124", 1, None);
    other.link = "other".into();
    let on_other = insert(&store, other).await;
    // The SMSC behind "other" reports 1A2B delivered before answering its submit_sm.
    let mut early = receipt("", "delivered", DlrPart::All);
    early.link = "other".into();
    early.candidates = crate::dlr::receipt_candidates("1A2B", format);
    assert_eq!(
        record_receipt(&store, early).await.unwrap(),
        ReceiptOutcome::Unmatched
    );
    // Both links then accept a segment as 1A2B, in one batch, the link without any
    // unmatched receipt first.
    let mut accepted_on_other = accepted_as_1a2b(on_other, format);
    if let SegmentOutcome::Accepted { link, .. } = &mut accepted_on_other {
        *link = "other".into();
    }
    let batch = vec![accepted_as_1a2b(on_carrier, format), accepted_on_other];
    assert_eq!(store.record_outcomes(batch).await.unwrap(), 0);
    let state = |id| {
        let store = store.clone();
        async move { store.message(id).await.unwrap().unwrap().state }
    };
    assert_eq!(state(on_carrier).await, "submitted");
    assert_eq!(state(on_other).await, "delivered");
    assert_eq!(store.unmatched_receipts().await.unwrap(), 0);
}

/// Message `id`'s segment `part` accepted by the SMSC as `smsc_id`.
async fn accept(store: &Store, id: i64, part: u16, smsc_id: &str) {
    let key = crate::dlr::lookup_key(smsc_id);
    store
        .segment_accepted(
            id,
            part,
            "carrier".into(),
            smsc_id.into(),
            key,
            DlrPart::All,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_message_is_submitted_once_its_last_segment_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let id = insert(&store, message("+447700900123", 2, None)).await;
    let created = store.message(id).await.unwrap().unwrap().updated_at;
    let history_state = || async {
        let history = store.history("+447700900123".into(), 5).await.unwrap();
        history[0].state.clone().unwrap()
    };
    let unfinished_parts = || async {
        let unfinished = store.unfinished().await.unwrap();
        let parts = unfinished
            .iter()
            .flat_map(|m| m.segments.iter().map(|(p, _)| *p));
        parts.collect::<Vec<u16>>()
    };

    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    accept(&store, id, 0, "1").await;
    let status = store.message(id).await.unwrap().unwrap();
    assert_eq!(status.state, "queued");
    assert_eq!(history_state().await, "queued");
    assert_eq!(unfinished_parts().await, [1]);
    // The acceptance is the message's latest change, though it updated only the segment.
    assert!(
        status.updated_at > created,
        "{} > {created}",
        status.updated_at
    );

    accept(&store, id, 1, "2").await;
    assert_eq!(store.message(id).await.unwrap().unwrap().state, "submitted");
    assert_eq!(history_state().await, "submitted");
    assert_eq!(unfinished_parts().await, [] as [u16; 0]);
}

#[tokio::test]
async fn a_receipt_that_is_not_final_leaves_a_submitted_message_submitted() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let id = insert(&store, message("+447700900123", 1, None)).await;
    accept(&store, id, 0, "5").await;
    let mut enroute = receipt("5", "enroute", DlrPart::All);
    enroute.is_final = false;
    assert_eq!(
        record_receipt(&store, enroute).await.unwrap(),
        ReceiptOutcome::Matched {
            id,
            state: "submitted".into()
        }
    );
    assert_eq!(store.message(id).await.unwrap().unwrap().state, "submitted");
    assert!(store.events_since(0, vec![], 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_file_of_schema_2_is_migrated_and_only_its_unsent_segments_resumed() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut conn = rusqlite::Connection::open(dir.path().join("smppd.db")).unwrap();
        assert_eq!(schema::migrate_to(&mut conn, 2).unwrap(), 2);
        // As schema 2 left them: a message sent (its row updated to `submitted`) and one
        // still queued.
        conn.execute_batch(
            "INSERT INTO messages (id, created_at, updated_at, to_number, from_addr, text,
                 encoding, link, dlr, state, segments)
             VALUES (1, 0, 1, '+447700900123', 'ACME', 'sent', 'gsm7', 'carrier', 1, 'submitted', 1),
                    (2, 0, 0, '+447700900123', 'ACME', 'unsent', 'gsm7', 'carrier', 1, 'queued', 1);
             INSERT INTO segments (message_id, part, pdu, link, smsc_id, smsc_key, state, updated_at)
             VALUES (1, 0, x'00', 'carrier', '7', '7', 'submitted', 1),
                    (2, 0, x'01', 'carrier', NULL, NULL, 'queued', 0);",
        )
        .unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    let unfinished = store.unfinished().await.unwrap();
    assert_eq!(unfinished.len(), 1);
    assert_eq!(
        (unfinished[0].id, &unfinished[0].segments[..]),
        (2, &[(0, vec![1])][..])
    );
    assert_eq!(store.message(1).await.unwrap().unwrap().state, "submitted");
    assert_eq!(store.message(2).await.unwrap().unwrap().state, "queued");
    accept(&store, 2, 0, "8").await;
    assert_eq!(store.message(2).await.unwrap().unwrap().state, "submitted");
    assert!(store.unfinished().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_failing_request_undoes_only_its_own_writes_in_a_shared_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let before = store.commits();
    // 200 inserts and, among them, requests that write and then fail: the batch they share
    // is rolled back and run again with a savepoint per request.
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                if i % 50 == 7 {
                    let failed = store
                        .write(move |conn| {
                            conn.execute(
                                "INSERT INTO opt_outs (number, since) VALUES (?1, 0)",
                                [format!("+4477001{i:05}")],
                            )
                            .map_err(sql("test insert"))?;
                            // A duplicate primary key: this request fails after writing.
                            conn.execute(
                                "INSERT INTO opt_outs (number, since) VALUES (?1, 0)",
                                [format!("+4477001{i:05}")],
                            )
                            .map_err(sql("test duplicate"))?;
                            Ok(())
                        })
                        .await;
                    assert!(
                        matches!(
                            failed,
                            Err(StoreError::Sql {
                                operation: "test duplicate",
                                ..
                            })
                        ),
                        "{failed:?}"
                    );
                    None
                } else {
                    Some(insert(&store, message(&format!("+4477009{i:05}"), 2, None)).await)
                }
            })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        ids.extend(t.await.unwrap());
    }
    assert_eq!(ids.len(), 196);
    assert!(store.commits() - before < 196, "no grouping");
    for id in ids {
        let status = store.message(id).await.unwrap().expect("stored");
        assert_eq!(status.segments.len(), 2);
    }
    assert!(
        store.opt_outs().await.unwrap().is_empty(),
        "a failed request left writes"
    );
}

#[tokio::test]
async fn each_commits_events_are_handed_over_once_durable_and_undone_ones_never() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut committed = store.committed_events();
    // A request that records an event and then fails: its event goes with its other writes.
    let failed = store
        .write(|conn| {
            messages::insert_event(conn, "dlr", &serde_json::json!({"event": "dlr"}))?;
            Err::<(), _>(StoreError::Sql {
                operation: "test failure",
                message: "after the event".into(),
            })
        })
        .await;
    assert!(matches!(
        failed,
        Err(StoreError::Sql {
            operation: "test failure",
            ..
        })
    ));
    let id = insert(&store, message("+447700900123", 1, None)).await;
    store
        .segment_failed(id, 0, "no route".into(), true)
        .await
        .unwrap();
    // The first events handed over are the failure's, as the database has them.
    let events = committed.recv().await.unwrap();
    assert_eq!(
        &events[..],
        &store.events_since(0, vec![], 10).await.unwrap()[..]
    );
    assert_eq!(events.len(), 1);
    assert_eq!(store.last_event(), events[0].event_id);
    let body: serde_json::Value = serde_json::from_str(&events[0].body).unwrap();
    assert_eq!(body["id"], id.to_string());
    assert_eq!(body["state"], "rejected");
}

#[tokio::test]
async fn the_checkpointer_ends_with_the_store_and_leaves_no_wal_behind() {
    let dir = tempfile::tempdir().unwrap();
    let wal = dir.path().join("smppd.db-wal");
    {
        let store = Store::open(dir.path()).unwrap();
        for i in 0..200 {
            insert(&store, message(&format!("+4477009{i:05}"), 2, None)).await;
        }
        assert!(std::fs::metadata(&wal).unwrap().len() > 0);
    }
    // Every handle is gone: the writer stops, then the checkpointer, which copies the whole
    // WAL into the database; a checkpointer still running would keep the WAL.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::fs::metadata(&wal).map_or(0, |m| m.len()) > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the WAL was not emptied at close"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.message(200).await.unwrap().unwrap().segments.len(), 2);
}

#[tokio::test]
async fn close_commits_what_was_asked_then_empties_the_wal_and_refuses_more() {
    let dir = tempfile::tempdir().unwrap();
    let wal = dir.path().join("smppd.db-wal");
    let store = Store::open(dir.path()).unwrap();
    let writes: Vec<_> = (0..50)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .insert_message(message(&format!("+4477009{i:05}"), 1, None))
                    .await
            })
        })
        .collect();
    tokio::task::yield_now().await;
    store.close().await;
    // Each write asked for before the close is committed or told it was not.
    let mut committed = 0;
    for write in writes {
        match write.await.unwrap() {
            Ok(Inserted::New { .. }) => committed += 1,
            Ok(other) => panic!("{other:?}"),
            Err(StoreError::Closed) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(std::fs::metadata(&wal).map_or(0, |m| m.len()), 0);
    assert!(matches!(
        store
            .insert_message(message("+447700900999", 1, None))
            .await,
        Err(StoreError::Closed)
    ));
    // The database alone (the WAL is empty) holds exactly the writes that were answered ok.
    let conn = Connection::open(dir.path().join("smppd.db")).unwrap();
    let stored: usize = conn
        .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, committed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_steady_writes_the_wal_still_starts_over() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    // Without pause, so that the checkpointer never catches up by itself.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut i = 0;
    while store.wal_restarts() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the WAL never started over under load"
        );
        insert(
            &store,
            message(&format!("+4477009{:05}", i % 100_000), 1, None),
        )
        .await;
        i += 1;
    }
    // Started over: the WAL in use is shorter than its file, which kept its largest size.
    insert(&store, message("+447700900000", 1, None)).await;
    let path = dir.path().join("smppd.db");
    let conn = Connection::open(&path).unwrap();
    let frames: i64 = conn
        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))
        .unwrap();
    let page: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    let file = std::fs::metadata(dir.path().join("smppd.db-wal"))
        .unwrap()
        .len() as i64;
    let file_frames = (file - 32) / (page + 24);
    assert!(
        frames < file_frames,
        "{frames} frames in use of {file_frames} in the file after {i} writes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_writes_never_stop_the_wal_still_starts_over() {
    // The writer finishes checkpoints when no write waits. Here more writes wait than one
    // batch takes, at every moment: the WAL must still start over rather than grow.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut writes = tokio::task::JoinSet::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut i = 0;
    while store.wal_restarts() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the WAL never started over"
        );
        while writes.len() < 3 * MAX_BATCH {
            let store = store.clone();
            let m = message(&format!("+4477009{:05}", i % 100_000), 1, None);
            writes.spawn(async move { insert(&store, m).await });
            i += 1;
        }
        writes.join_next().await.unwrap().unwrap();
    }
}

/// A job that only says which lane it is in.
struct Lane(bool);

impl Job for Lane {
    fn run(&mut self, _: &Connection) {}
    fn finish(self: Box<Self>, _: Result<(), String>) {}
    fn urgent(&self) -> bool {
        self.0
    }
}

fn lanes_of(batch: Vec<Box<dyn Job>>) -> Vec<bool> {
    batch.iter().map(|job| job.urgent()).collect()
}

#[test]
fn waiting_submissions_get_a_commit_of_their_own_then_the_rest_follows() {
    let mut lanes = Lanes::default();
    for urgent in [false, true, false, true] {
        lanes.push(Box::new(Lane(urgent)));
    }
    // Submissions first, alone.
    assert_eq!(lanes_of(lanes.next_batch()), [true, true]);
    // Then everything: a submission that came meanwhile, then the others in order.
    lanes.push(Box::new(Lane(true)));
    assert_eq!(lanes_of(lanes.next_batch()), [true, false, false]);
    assert!(lanes.is_empty());
    // Without others, submissions simply go; without submissions, the others do.
    lanes.push(Box::new(Lane(true)));
    assert_eq!(lanes_of(lanes.next_batch()), [true]);
    lanes.push(Box::new(Lane(false)));
    assert_eq!(lanes_of(lanes.next_batch()), [false]);
    // A batch holds at most MAX_BATCH.
    for _ in 0..MAX_BATCH + 3 {
        lanes.push(Box::new(Lane(false)));
    }
    assert_eq!(lanes.next_batch().len(), MAX_BATCH);
    assert_eq!(lanes.next_batch().len(), 3);
}

#[tokio::test]
async fn receipts_recorded_together_are_matched_each_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let a = insert(&store, message("+447700900123", 1, None)).await;
    let b = insert(&store, message("+447700900124", 1, None)).await;
    for (id, smsc) in [(a, "a1"), (b, "b2")] {
        store
            .segment_accepted(
                id,
                0,
                "carrier".into(),
                smsc.into(),
                smsc.into(),
                DlrPart::All,
            )
            .await
            .unwrap();
    }
    let before = store.commits();
    let outcomes = store
        .record_receipts(vec![
            receipt("a1", "delivered", DlrPart::All),
            receipt("zz", "delivered", DlrPart::All),
            receipt("b2", "undeliverable", DlrPart::All),
        ])
        .await
        .unwrap();
    assert_eq!(store.commits() - before, 1, "one write for the three");
    assert_eq!(
        outcomes.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        [
            ReceiptOutcome::Matched {
                id: a,
                state: "delivered".into()
            },
            ReceiptOutcome::Unmatched,
            ReceiptOutcome::Matched {
                id: b,
                state: "undeliverable".into()
            },
        ]
    );
    assert_eq!(store.unmatched_receipts().await.unwrap(), 1);
    assert_eq!(
        store.message(b).await.unwrap().unwrap().state,
        "undeliverable"
    );
}

#[test]
fn the_bundled_sqlite_is_built_with_the_workspace_options() {
    // .cargo/config.toml sets them; a build that missed them would still work, only slower.
    let conn = Connection::open_in_memory().unwrap();
    let options: Vec<String> = conn
        .prepare("PRAGMA compile_options")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for wanted in [
        "THREADSAFE=2",
        "DEFAULT_MEMSTATUS=0",
        "OMIT_SHARED_CACHE",
        "USE_ALLOCA",
    ] {
        assert!(
            options.iter().any(|o| o == wanted),
            "{wanted} missing from {options:?}"
        );
    }
    assert!(
        !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
        "{options:?}"
    );
}

/// Threads of this process, from /proc.
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_reads_waits_on_the_reader_thread_not_on_a_thread_each() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let before = threads();
    let reads: Vec<_> = (0..200)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .read(move |conn| {
                        // Long enough that the burst piles up behind the first reads.
                        std::thread::sleep(std::time::Duration::from_micros(500));
                        conn.query_row("SELECT ?1", [i], |r| r.get::<_, i64>(0))
                            .map_err(sql("reading"))
                    })
                    .await
            })
        })
        .collect();
    let mut most = before;
    let mut answers = Vec::new();
    for read in reads {
        most = most.max(threads());
        answers.push(read.await.unwrap().unwrap());
    }
    assert_eq!(answers, (0..200).collect::<Vec<i64>>());
    assert!(
        most <= before + 2,
        "{before} threads before the burst, {most} during it"
    );
}
