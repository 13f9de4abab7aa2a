//! The socket's request lines: parsing, validation and the answers' JSON. One JSON object per
//! line; every answer carries the request's `ref`. docs/socket-protocol.md is the reference.

use crate::address;
use crate::config::parse_duration;
use crate::service::{ServiceError, Submission};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A request, validated.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Send a message.
    Submit(Submission),
    /// A message's state.
    Status {
        /// Gateway id.
        id: i64,
    },
    /// Stream events.
    Subscribe {
        /// `dlr`, `mo` (empty: both).
        kinds: Vec<String>,
        /// Replay events after this id first.
        since: Option<i64>,
    },
    /// A number's thread.
    History {
        /// The number, normalised.
        number: String,
        /// How many of the most recent.
        limit: u32,
    },
    /// Change or list opt-outs.
    OptOut {
        /// `add`, `remove` or `list`.
        action: OptOutAction,
        /// The number (not for `list`).
        number: Option<String>,
    },
    /// Liveness.
    Ping,
}

/// What an `opt_out` request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptOutAction {
    /// Opt the number out.
    Add,
    /// Opt it back in.
    Remove,
    /// List opted-out numbers.
    List,
}

/// The encodings a submission may name.
pub const ENCODINGS: &[&str] = &[
    "auto",
    "gsm7",
    "gsm7-turkish",
    "gsm7-spanish",
    "gsm7-portuguese",
    "ucs2",
    "latin1",
    "ascii",
    "binary",
];

/// Parses one line into its `ref` and the request (or the error to answer with).
pub fn parse(line: &[u8]) -> (Value, Result<Request, ServiceError>) {
    let value: Value = match serde_json::from_slice(line) {
        Ok(v) => v,
        Err(e) => {
            return (
                Value::Null,
                Err(ServiceError::new("bad_json", e.to_string())),
            );
        }
    };
    let Value::Object(obj) = value else {
        return (
            Value::Null,
            Err(ServiceError::new("bad_json", "a request is a JSON object")),
        );
    };
    let reference = obj.get("ref").cloned().unwrap_or(Value::Null);
    (reference, request(&obj))
}

type Obj = serde_json::Map<String, Value>;

fn missing(field: &str) -> ServiceError {
    ServiceError::new("missing_field", format!("{field} is required"))
}

fn invalid(field: &str, why: impl std::fmt::Display) -> ServiceError {
    ServiceError::new("invalid_field", format!("{field}: {why}"))
}

fn string<'a>(obj: &'a Obj, field: &str) -> Result<Option<&'a str>, ServiceError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(invalid(field, format!("expected a string, got {other}"))),
    }
}

fn boolean(obj: &Obj, field: &str, default: bool) -> Result<bool, ServiceError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(invalid(
            field,
            format!("expected true or false, got {other}"),
        )),
    }
}

fn request(obj: &Obj) -> Result<Request, ServiceError> {
    let op = string(obj, "op")?.ok_or_else(|| missing("op"))?;
    match op {
        "submit" => submit(obj).map(Request::Submit),
        "status" => {
            let id = match obj.get("id") {
                Some(Value::String(s)) => s.parse().ok(),
                Some(Value::Number(n)) => n.as_i64(),
                None | Some(Value::Null) => return Err(missing("id")),
                _ => None,
            };
            let id = id.ok_or_else(|| invalid("id", "not a message id"))?;
            Ok(Request::Status { id })
        }
        "subscribe" => {
            let kinds = match obj.get("events") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|k| match k.as_str() {
                        Some(k @ ("dlr" | "mo")) => Ok(k.to_owned()),
                        _ => Err(invalid("events", format!("{k} is not \"dlr\" or \"mo\""))),
                    })
                    .collect::<Result<_, _>>()?,
                Some(other) => {
                    return Err(invalid("events", format!("expected a list, got {other}")));
                }
            };
            let since = match obj.get("since") {
                None | Some(Value::Null) => None,
                Some(v) => Some(v.as_i64().filter(|n| *n >= 0).ok_or_else(|| {
                    invalid("since", "expected an event_id (a non-negative integer)")
                })?),
            };
            Ok(Request::Subscribe { kinds, since })
        }
        "history" => {
            let number = string(obj, "number")?.ok_or_else(|| missing("number"))?;
            let limit = match obj.get("limit") {
                None | Some(Value::Null) => 50,
                Some(v) => v
                    .as_u64()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| invalid("limit", "expected 1 to 1000"))?
                    as u32,
            };
            Ok(Request::History {
                number: address::normalize_number(number),
                limit,
            })
        }
        "opt_out" => {
            let action = match string(obj, "action")?.ok_or_else(|| missing("action"))? {
                "add" => OptOutAction::Add,
                "remove" => OptOutAction::Remove,
                "list" => OptOutAction::List,
                other => {
                    return Err(invalid(
                        "action",
                        format!("{other:?} is not add, remove or list"),
                    ));
                }
            };
            let number = string(obj, "number")?;
            if action != OptOutAction::List {
                let number = number.ok_or_else(|| missing("number"))?;
                if !address::is_valid_destination(&address::normalize_number(number)) {
                    return Err(ServiceError::new(
                        "invalid_destination",
                        format!("{number:?} is not a phone number"),
                    ));
                }
            }
            Ok(Request::OptOut {
                action,
                number: number.map(address::normalize_number),
            })
        }
        "ping" => Ok(Request::Ping),
        other => Err(ServiceError::new(
            "unknown_op",
            format!("unknown op {other:?}"),
        )),
    }
}

fn submit(obj: &Obj) -> Result<Submission, ServiceError> {
    let to = string(obj, "to")?.ok_or_else(|| missing("to"))?;
    if !address::is_valid_destination(to) {
        return Err(ServiceError::new(
            "invalid_destination",
            format!(
                "to {to:?}: expected E.164 with + (8 to 15 digits) or a short code of up to 8 digits"
            ),
        ));
    }
    let from = string(obj, "from")?.ok_or_else(|| missing("from"))?;
    if !address::is_valid_source(from) {
        return Err(ServiceError::new(
            "invalid_source",
            format!("from {from:?}: expected a number or up to 11 letters, digits and spaces"),
        ));
    }
    let text = string(obj, "text")?.ok_or_else(|| missing("text"))?;
    let encoding = string(obj, "encoding")?.unwrap_or("auto");
    if !ENCODINGS.contains(&encoding) {
        return Err(invalid(
            "encoding",
            format!("{encoding:?} is not one of {}", ENCODINGS.join(", ")),
        ));
    }
    let key = string(obj, "key")?;
    if key.is_some_and(|k| k.is_empty() || k.len() > 200) {
        return Err(invalid("key", "expected 1 to 200 characters"));
    }
    let validity = string(obj, "validity")?
        .map(|v| parse_duration(v).map_err(|e| invalid("validity", e)))
        .transpose()?;
    let schedule_at = string(obj, "schedule_at")?
        .map(|v| {
            OffsetDateTime::parse(v, &Rfc3339)
                .map_err(|e| invalid("schedule_at", format!("{v:?} is not RFC 3339: {e}")))
        })
        .transpose()?;
    Ok(Submission {
        to: to.to_owned(),
        from: from.to_owned(),
        text: text.to_owned(),
        link: string(obj, "link")?.map(str::to_owned),
        encoding: encoding.to_owned(),
        dlr: boolean(obj, "dlr", true)?,
        key: key.map(str::to_owned),
        validity,
        schedule_at,
        transactional: boolean(obj, "transactional", false)?,
    })
}

/// `{"ref":..,"ok":true, ...fields}`.
pub fn ok(reference: &Value, fields: Value) -> String {
    let mut answer = json!({"ref": reference, "ok": true});
    if let (Value::Object(a), Value::Object(f)) = (&mut answer, fields) {
        a.extend(f);
    }
    answer.to_string()
}

/// `{"ref":..,"ok":false,"error":{"code":..,"message":..}}`.
pub fn error(reference: &Value, e: &ServiceError) -> String {
    json!({"ref": reference, "ok": false, "error": {"code": e.code, "message": e.message}})
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(line: &str) -> &'static str {
        match parse(line.as_bytes()).1 {
            Err(e) => e.code,
            Ok(r) => panic!("accepted {line}: {r:?}"),
        }
    }

    #[test]
    fn every_refusal_has_its_code() {
        let cases = [
            ("{", "bad_json"),
            ("[1]", "bad_json"),
            (r#"{"ref":1}"#, "missing_field"),
            (r#"{"op":"fly"}"#, "unknown_op"),
            (
                r#"{"op":"submit","from":"ACME","text":"x"}"#,
                "missing_field",
            ),
            (
                r#"{"op":"submit","to":"07700900123","from":"ACME","text":"x"}"#,
                "invalid_destination",
            ),
            (
                r#"{"op":"submit","to":"+1234567","from":"ACME","text":"x"}"#,
                "invalid_destination",
            ),
            (
                r#"{"op":"submit","to":"+447700900123","from":"ACME-SHOP-LTD","text":"x"}"#,
                "invalid_source",
            ),
            (
                r#"{"op":"submit","to":"+447700900123","from":"ACME","text":"x","encoding":"utf8"}"#,
                "invalid_field",
            ),
            (
                r#"{"op":"submit","to":"+447700900123","from":"ACME","text":"x","validity":"soon"}"#,
                "invalid_field",
            ),
            (
                r#"{"op":"submit","to":"+447700900123","from":"ACME","text":"x","schedule_at":"tomorrow"}"#,
                "invalid_field",
            ),
            (
                r#"{"op":"submit","to":"+447700900123","from":"ACME","text":"x","dlr":"yes"}"#,
                "invalid_field",
            ),
            (r#"{"op":"status"}"#, "missing_field"),
            (r#"{"op":"status","id":"abc"}"#, "invalid_field"),
            (r#"{"op":"subscribe","events":["sms"]}"#, "invalid_field"),
            (r#"{"op":"history"}"#, "missing_field"),
            (
                r#"{"op":"opt_out","action":"add","number":"hello"}"#,
                "invalid_destination",
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(code(line), expected, "{line}");
        }
    }

    #[test]
    fn a_full_submit_parses() {
        let line = r#"{"op":"submit","ref":"r1","to":"+447700900123","from":"ACME","text":"Your order shipped","link":"carrier-a","encoding":"gsm7","dlr":false,"key":"order-42","validity":"2h","schedule_at":"2026-11-23T09:00:00Z","transactional":true}"#;
        let (reference, request) = parse(line.as_bytes());
        assert_eq!(reference, json!("r1"));
        let Request::Submit(s) = request.unwrap() else {
            panic!("not a submit");
        };
        assert_eq!(s.to, "+447700900123");
        assert_eq!(s.link.as_deref(), Some("carrier-a"));
        assert!(!s.dlr && s.transactional);
        assert_eq!(s.validity, Some(std::time::Duration::from_secs(7200)));
        assert_eq!(s.schedule_at.unwrap().unix_timestamp(), 1_795_424_400);
    }

    #[test]
    fn answers_echo_the_ref_as_given() {
        assert_eq!(
            ok(&json!({"n": 1}), json!({"id": "7"})),
            r#"{"id":"7","ok":true,"ref":{"n":1}}"#
        );
        let e = ServiceError::new("no_route", "none");
        assert_eq!(
            error(&Value::Null, &e),
            r#"{"error":{"code":"no_route","message":"none"},"ok":false,"ref":null}"#
        );
    }
}
