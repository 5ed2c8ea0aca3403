//! Data parallelism without a dependency: takes a slice and a function,
//! gives the results in order, computed on every core (clusters are
//! independent in lowering and emitting).

/// `f` over `items` on every core, results in order (same output as a
/// sequential map: each item is emitted on its own).
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(items.len() / 64 + 1);
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("emitting a cluster does not panic"))
            .collect()
    })
}
