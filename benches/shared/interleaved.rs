//! Ratios that survive a noisy machine: two workloads run in alternating
//! small batches and the median of the per-round ratios is reported, with
//! the quartiles. Sequential measurements drift with the machine's speed;
//! the alternation cancels that drift.

use std::time::Instant;

/// Rounds per ratio.
const ROUNDS: usize = 101;

/// Median and quartiles of `time(b) / time(a)` over `ROUNDS` alternating
/// batches of `batch` calls each.
pub(crate) fn ratio(mut a: impl FnMut(), mut b: impl FnMut(), batch: usize) -> (f64, f64, f64) {
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        for _ in 0..batch {
            f();
        }
        start.elapsed().as_secs_f64()
    };
    // Every other round runs `b` first, so that a drift within a round
    // favours neither side.
    let mut ratios: Vec<f64> = (0..ROUNDS)
        .map(|round| {
            if round % 2 == 0 {
                let ta = time(&mut a);
                time(&mut b) / ta
            } else {
                let tb = time(&mut b);
                tb / time(&mut a)
            }
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    (
        ratios[ROUNDS / 2],
        ratios[ROUNDS / 4],
        ratios[3 * ROUNDS / 4],
    )
}
