//! text benchmarks.

fn main() {}
