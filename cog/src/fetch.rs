//! Fetching several byte ranges with as few requests as possible.
//!
//! Blocks of neighbouring tiles (and a block's mask, which GDAL writes right after it) sit next
//! to each other in a COG, so ranges separated by a small gap are read as one: on HTTP a request
//! costs far more than a few KiB of extra bytes.

use std::ops::Range;

use bytes::Bytes;

use crate::{CogError, RangeReader};

/// Ranges closer than this are merged (the gap is read and dropped).
const MAX_GAP: u64 = 16 * 1024;
/// A merged read stops growing at this size, so one response never holds too much.
const MAX_MERGED: u64 = 4 * 1024 * 1024;

/// Groups `ranges` (in any order, possibly overlapping) into merged reads; each read lists the
/// indices of the ranges it covers.
pub(crate) fn plan(ranges: &[Range<u64>]) -> Vec<(Range<u64>, Vec<usize>)> {
    let mut order: Vec<usize> = (0..ranges.len()).collect();
    order.sort_by_key(|&i| ranges[i].start);
    let mut reads: Vec<(Range<u64>, Vec<usize>)> = Vec::new();
    for i in order {
        let r = &ranges[i];
        match reads.last_mut() {
            Some((read, members))
                if r.start <= read.end.saturating_add(MAX_GAP) && r.end.max(read.end) - read.start <= MAX_MERGED =>
            {
                read.end = read.end.max(r.end);
                members.push(i);
            }
            _ => reads.push((r.clone(), vec![i])),
        }
    }
    reads
}

/// The bytes of each range, in the order given; fewer bytes than asked means a truncated file.
pub(crate) async fn fetch(reader: &dyn RangeReader, ranges: &[Range<u64>]) -> Result<Vec<Bytes>, CogError> {
    let reads = plan(ranges);
    let fetched = futures_util::future::try_join_all(reads.iter().map(|(r, _)| reader.read(r.clone()))).await?;
    let mut out = vec![Bytes::new(); ranges.len()];
    for ((read, members), bytes) in reads.iter().zip(fetched) {
        for &i in members {
            let (start, end) = (ranges[i].start - read.start, ranges[i].end - read.start);
            if end > bytes.len() as u64 {
                return Err(CogError::Invalid(format!(
                    "{}: truncated file: bytes {}..{} are missing",
                    reader.name(),
                    ranges[i].start,
                    ranges[i].end
                )));
            }
            out[i] = bytes.slice(start as usize..end as usize);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_close_ranges_only() {
        let reads = plan(&[1000..2000, 0..500, 2100..3000, 100_000..100_010]);
        assert_eq!(reads, vec![(0..3000, vec![1, 0, 2]), (100_000..100_010, vec![3])]);
    }

    #[test]
    fn caps_merged_reads() {
        let mb = 1024 * 1024;
        let reads = plan(&[0..3 * mb, 3 * mb..5 * mb, 5 * mb..6 * mb]);
        assert_eq!(reads.len(), 2);
        assert_eq!(reads[0].0, 0..3 * mb);
        assert_eq!(reads[1].0, 3 * mb..6 * mb);
    }
}
