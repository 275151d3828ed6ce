//! Polling loops: a first check at once, then waits that grow to a cap, all bounded by a
//! deadline and interrupted by an abort (the transport's `sleep` is abortable).

use super::{Call, Transport};
use crate::error::Error;
use crate::value::int_text;
use std::future::Future;

#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub first_ms: f64,
    pub factor: f64,
    pub cap_ms: f64,
}

/// Calls `step` until it yields `Some`, or fails with `TimeoutError` once `limit_ms` has passed.
/// Each wait gets +-10 % jitter and never runs past the deadline.
pub async fn until<T, R, F, Fut>(
    c: &Call<'_, T>,
    limit_ms: f64,
    s: Schedule,
    what: &str,
    mut step: F,
) -> Result<R, Error>
where
    T: Transport,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<R>, Error>>,
{
    let start = c.t.now_ms();
    let mut delay = s.first_ms;
    loop {
        if let Some(r) = step().await? {
            return Ok(r);
        }
        pause(c, limit_ms - (c.t.now_ms() - start), delay, limit_ms, what).await?;
        delay = (delay * s.factor).min(s.cap_ms);
    }
}

/// The wait between two checks (the part of `until` that does not depend on the check, compiled
/// once): `delay` with +-10 % jitter, cut at the deadline; past it, `TimeoutError`.
async fn pause<T: Transport>(
    c: &Call<'_, T>,
    left: f64,
    delay: f64,
    limit_ms: f64,
    what: &str,
) -> Result<(), Error> {
    if left <= 0.0 {
        return Err(Error::Timeout(
            (what.to_string() + " did not finish within " + &int_text(limit_ms as i64) + " ms")
                .into(),
        ));
    }
    let jittered = delay * (0.9 + 0.2 * c.t.random());
    c.t.sleep(c.ctx, jittered.min(left)).await
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::api::testing::{block_on, Fake};
    use crate::api::Names;
    use std::cell::Cell;

    #[test]
    fn grows_caps_and_times_out() {
        let f = Fake::default();
        let names = Names::default();
        let c = Call {
            t: &f,
            ctx: &(),
            names: &names,
        };
        let n = Cell::new(0);
        let s = Schedule {
            first_ms: 1000.0,
            factor: 2.0,
            cap_ms: 3000.0,
        };
        let r = block_on(until(&c, 1e9, s, "x", || {
            n.set(n.get() + 1);
            async { Ok((n.get() == 4).then_some(7)) }
        }));
        assert_eq!(r.unwrap(), 7);
        assert_eq!(*f.slept.borrow(), vec![1000.0, 2000.0, 3000.0]);
        let f = Fake::default();
        let c = Call {
            t: &f,
            ctx: &(),
            names: &names,
        };
        let e = block_on(until(&c, 2500.0, s, "the upload", || async {
            Ok(None::<()>)
        }))
        .unwrap_err();
        assert_eq!(
            e,
            Error::Timeout("the upload did not finish within 2500 ms".into())
        );
        assert_eq!(
            *f.slept.borrow(),
            vec![1000.0, 1500.0],
            "the last wait stops at the deadline"
        );
    }
}
