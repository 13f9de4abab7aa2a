//! `smppctl text analyze`: what a message costs and how it goes on the wire. The same code
//! (`smppd_text::encode_message`) builds the daemon's real `submit_sm`s.

use super::{CtlError, read_arg};
use serde_json::{Value, json};
use smppd_codec::{Tag, hex};
use smppd_text::{
    Concat, EncodeOptions, EncodingChoice, LanguageSet, NationalLanguage, ReferenceCounter,
    encode_message,
};

/// `smppctl text analyze` options.
#[derive(Debug, Clone, clap::Args)]
pub struct AnalyzeArgs {
    /// The text (`-` reads standard input).
    pub text: String,
    /// auto, gsm7, gsm7-turkish, gsm7-spanish, gsm7-portuguese, ucs2, latin1, ascii.
    #[arg(long, default_value = "auto")]
    pub encoding: String,
    /// How a long text is split: udh8, udh16, sar, payload.
    #[arg(long, default_value = "udh8")]
    pub concat: String,
    /// GSM 7-bit text packed in short_message (as some SMSCs expect).
    #[arg(long)]
    pub packed: bool,
    /// Map look-alike characters (curly quotes, dashes, ...) to GSM ones instead of UCS-2.
    #[arg(long)]
    pub transliterate: bool,
    /// National language tables the link allows: tr, es, pt.
    #[arg(long, value_delimiter = ',')]
    pub national_tables: Vec<String>,
}

/// The analysis as pretty JSON.
pub fn analyze(args: &AnalyzeArgs) -> Result<String, CtlError> {
    let text = read_arg(&args.text)?;
    // Text from a pipe ends with the shell's newline, which is not part of the message.
    let text = if args.text == "-" {
        text.strip_suffix('\n').unwrap_or(&text).to_owned()
    } else {
        text
    };
    let bad = |e: smppd_text::TextError| CtlError::Input(e.to_string());
    let encoding: EncodingChoice = args.encoding.parse().map_err(bad)?;
    let concat: Concat = args.concat.parse().map_err(bad)?;
    let national: LanguageSet = args
        .national_tables
        .iter()
        .map(|t| t.parse::<NationalLanguage>())
        .collect::<Result<_, _>>()
        .map_err(bad)?;
    let options = EncodeOptions {
        encoding,
        concat,
        gsm7_packed: args.packed,
        transliterate: args.transliterate,
        national,
    };
    let encoded = encode_message(&text, &options, &mut ReferenceCounter::new(1)).map_err(bad)?;
    let unit = encoded.unit().name();
    let segments: Vec<Value> = encoded
        .segments
        .iter()
        .map(|s| {
            let tlvs: Vec<Value> = s
                .tlvs
                .iter()
                .map(|t| {
                    let tag = Tag(t.tag);
                    json!({"tag": tag.to_string(), "value": hex::encode(&t.value)})
                })
                .collect();
            json!({
                "esm_class": s.esm_class,
                "data_coding": s.data_coding,
                "short_message": hex::encode(&s.short_message),
                "tlvs": tlvs,
                "characters": s.characters,
                unit: s.units,
            })
        })
        .collect();
    let forced: Vec<Value> = encoded
        .forced_ucs2
        .iter()
        .map(|o| json!({"char": o.ch.to_string(), "position": o.position}))
        .collect();
    let transliterated: Vec<Value> = encoded
        .transliterated
        .iter()
        .map(|t| json!({"from": t.from.to_string(), "to": t.to, "position": t.position}))
        .collect();
    let out = json!({
        "encoding": encoded.encoding.to_string(),
        "data_coding": encoded.data_coding(),
        "characters": encoded.characters,
        unit: encoded.units,
        "forced_ucs2": forced,
        "transliterated": transliterated,
        "concat": concat.name(),
        "segments": segments,
    });
    serde_json::to_string_pretty(&out).map_err(|e| CtlError::Input(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, extra: &[&str]) -> Value {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            args: AnalyzeArgs,
        }
        let mut argv = vec!["analyze", text];
        argv.extend_from_slice(extra);
        let cli = Cli::parse_from(argv);
        serde_json::from_str(&analyze(&cli.args).unwrap()).unwrap()
    }

    #[test]
    fn a_short_gsm_text_is_one_unpacked_segment() {
        let out = run("Hi €", &[]);
        assert_eq!(out["encoding"], "gsm7");
        assert_eq!(out["data_coding"], 0);
        assert_eq!(out["septets"], 5, "€ costs an escape and a septet");
        assert_eq!(out["segments"][0]["short_message"], "4869201b65");
        assert_eq!(out["segments"][0]["esm_class"], 0);
    }

    #[test]
    fn an_emoji_forces_ucs2_and_is_named() {
        let out = run("Table for 2 🍝", &[]);
        assert_eq!(out["encoding"], "ucs2");
        assert_eq!(out["data_coding"], 8);
        assert_eq!(out["forced_ucs2"][0]["char"], "🍝");
        assert_eq!(out["forced_ucs2"][0]["position"], 12);
    }

    #[test]
    fn long_text_is_split_with_a_udh_or_sar() {
        let text = "a".repeat(161);
        let out = run(&text, &[]);
        let segments = out["segments"].as_array().unwrap();
        assert_eq!(segments.len(), 2);
        assert_eq!(segments[0]["esm_class"], 0x40);
        assert!(
            segments[0]["short_message"]
                .as_str()
                .unwrap()
                .starts_with("050003010201")
        );
        let out = run(&text, &["--concat", "sar"]);
        assert_eq!(out["segments"][0]["tlvs"][0]["tag"], "sar_msg_ref_num");
    }

    #[test]
    fn transliteration_and_national_tables_avoid_ucs2() {
        let out = run("“Quoted” – text…", &["--transliterate"]);
        assert_eq!(out["encoding"], "gsm7");
        assert!(!out["transliterated"].as_array().unwrap().is_empty());
        let out = run("Şirket", &["--national-tables", "tr"]);
        assert!(
            out["encoding"]
                .as_str()
                .unwrap()
                .starts_with("gsm7-turkish"),
            "{out}"
        );
    }

    #[test]
    fn a_forced_encoding_that_cannot_hold_the_text_is_an_error() {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            args: AnalyzeArgs,
        }
        let cli = Cli::parse_from(["analyze", "Hello 🍝", "--encoding", "gsm7"]);
        let err = analyze(&cli.args).unwrap_err().to_string();
        assert!(err.contains('🍝'), "{err}");
    }
}
