//! codec benchmarks.

fn main() {}
