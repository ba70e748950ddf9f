//! The training step allocates nothing on the heap (docs/DESIGN.md section 6).

use mlp::train::{Sampling, TrainConfig, Trainer};
use mlp::{Activation, LayerSpec, Network};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Set on the thread under test only: the test harness's own threads
    /// (its timer, its output) allocate whenever they like, and on a busy
    /// machine they did so during the measured steps.
    static COUNTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn count() {
    // `try_with`: a thread being torn down has no thread-locals left.
    if COUNTED.try_with(|c| c.get()).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn training_steps_do_not_allocate() {
    let layers = [
        LayerSpec {
            units: 8,
            activation: Activation::Sigmoid,
            bias: true,
        },
        LayerSpec {
            units: 6,
            activation: Activation::Relu,
            bias: false,
        },
        LayerSpec {
            units: 2,
            activation: Activation::Identity,
            bias: false,
        },
    ];
    let deep = Network::new(25, &layers).unwrap();
    assert_steps_do_not_allocate(deep, &[0.5; 25], &[0.25, 0.75]);
    // the 1-K-1 networks of Exercise 2c have a step of their own
    for k in [5, 40] {
        let curve = Network::sheet(1, k, 1, Activation::Sigmoid).unwrap();
        assert_steps_do_not_allocate(curve, &[0.5], &[0.25]);
    }
}

fn assert_steps_do_not_allocate(mut net: Network, x: &[f64], t: &[f64]) {
    net.randomize_normal(&mut ChaCha8Rng::seed_from_u64(1));
    let cfg = TrainConfig::new(1, 0.01, 0.5, Sampling::Random, 0).unwrap();
    let mut trainer = Trainer::new(&net, &cfg);
    trainer.step(&mut net, x, t); // warm up
    COUNTED.with(|c| c.set(true));
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let mut total = 0.0;
    for _ in 0..1000 {
        total += trainer.step(&mut net, x, t);
    }
    let after = ALLOCATIONS.load(Ordering::SeqCst);
    COUNTED.with(|c| c.set(false));
    assert!(total.is_finite());
    assert_eq!(after - before, 0, "the training step allocated");
}
