//! Runs futures side by side on one thread (no executor of its own): what bounded-concurrency
//! batch uploads need, without a futures crate.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Polls every future until all are done; outputs come back in input order.
pub async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    type Slot<F> = (Pin<Box<F>>, Option<<F as Future>::Output>);
    let mut slots: Vec<Slot<F>> = Vec::with_capacity(futures.len());
    for f in futures {
        slots.push((Box::pin(f), None));
    }
    std::future::poll_fn(move |cx: &mut Context<'_>| {
        let mut pending = false;
        for (f, out) in slots.iter_mut() {
            if out.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *out = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            let mut outputs = Vec::with_capacity(slots.len());
            for (_, out) in slots.iter_mut() {
                if let Some(v) = out.take() {
                    outputs.push(v);
                }
            }
            Poll::Ready(outputs)
        }
    })
    .await
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::join_all;
    use crate::api::testing::block_on;

    #[test]
    fn keeps_order() {
        let futs: Vec<_> = (0..5).map(|i| async move { i * 10 }).collect();
        assert_eq!(block_on(join_all(futs)), vec![0, 10, 20, 30, 40]);
    }
}
