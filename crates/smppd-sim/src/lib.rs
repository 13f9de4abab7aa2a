//! smppd-sim (under construction).
