//! `smppctl text ...`: message text analysis.
