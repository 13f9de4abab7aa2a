//! smppd-text (under construction).
