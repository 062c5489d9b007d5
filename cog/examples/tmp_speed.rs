use std::sync::Arc;
use std::time::Instant;
use cog::*;
#[tokio::main(flavor = "current_thread")]
async fn main() {
    for f in std::env::args().skip(1) {
        let cog = Cog::open(Arc::new(FileReader::open(std::path::Path::new(&f)).unwrap()), BlockCache::new(0)).await.unwrap();
        let t = Instant::now();
        let mut n = 0;
        for _ in 0..3 { for c in 0..5 { for r in 0..4 { cog.block(0, c, r).await.unwrap(); n += 1; } } }
        println!("{f}: {:.2} ms/block (256²)", t.elapsed().as_secs_f64() * 1000.0 / n as f64);
    }
}
