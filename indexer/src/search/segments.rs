//! A rebuilt generation's segments, merged into one per search thread once it is live.
//!
//! A search pays a share of its work per segment, whatever the segment's size: each word's terms
//! looked up in every field's dictionary, the typo automata run over them, the columns opened. And
//! it shares its segments out to the search threads (see `parallel`), which balance best with
//! segments of equal size. A rebuild therefore writes without merging (the writer's threads flush
//! segments as their memory fills) and, once committed, merges them into one segment per search
//! thread, of near-equal document counts, the merges running side by side. Measured on the
//! benchmark's million documents with two search threads: two segments instead of the six that
//! tantivy's default policy left, 7% less CPU per search and 8% more searches per second over HTTP
//! (docs/BENCHMARKS.md, seventh round).
//!
//! The merge runs after the generation is published, on a thread of its own ([`merge_live`]): the
//! complete, validated index answers from its unmerged segments meanwhile, and the merge's seconds
//! (about a fifth of a rebuild's wall time at a million documents) are not spent before it can. The
//! groups are merged one at a time; when a merge ends, the merged segment's parts are warmed, then
//! the reader reloads. When the last one is live, the generation's metadata records that it is
//! merged; a generation whose merge was cut short is merged again when it is next opened.
//!
//! Later writes go back to tantivy's log merge policy: their small segments are merged among
//! themselves, and the large ones are left alone.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tantivy::index::SegmentId;
use tantivy::merge_policy::{LogMergePolicy, NoMergePolicy};
use tantivy::{IndexWriter, SegmentReader};

use super::indexer::IndexerError;
use super::layout::Layout;
use super::searcher::LiveIndex;

/// Plans the merge of the live generation's committed segments into (at most) `parts` segments,
/// and returns the thread that runs it: one merge at a time, each merged segment warmed and brought
/// live before the next merge starts. The writer keeps no merge policy until the last merge has
/// ended (tantivy's log policy could otherwise take segments of a merge still to come), then goes
/// back to the log policy for later writes.
///
/// One at a time, because a merge reads every page of the segments it merges, and those pages stay
/// mapped into the process for as long as a searcher holds the segments: merging every group at
/// once held the whole unmerged index in memory with the merged segments' warmed parts (the server's
/// peak at a million documents went from about 800 MiB to 1 GiB). Merged one group at a time and
/// reloaded in between, the process holds about one group's pages at a time; the merges take
/// longer, on one core, while the index answers.
pub(crate) fn merge_live(
    writer: Arc<Mutex<IndexWriter>>,
    live: Arc<LiveIndex>,
    directory: PathBuf,
    parts: usize,
) -> Result<std::thread::JoinHandle<Result<(), IndexerError>>, IndexerError> {
    let started = Instant::now();
    // The metas are not held while the merges run: tantivy keeps the files of every segment whose
    // meta is alive, and would leave the merged segments' files on disk.
    let sizes = {
        let writer = lock(&writer);
        writer.set_merge_policy(Box::new(NoMergePolicy));
        writer
            .index()
            .searchable_segment_metas()?
            .iter()
            .map(|meta| (meta.id(), meta.num_docs()))
            .collect()
    };
    let groups: Vec<Vec<SegmentId>> = balanced(sizes, parts)
        .into_iter()
        .filter(|group| group.len() > 1)
        .collect();
    let thread = std::thread::Builder::new()
        .name("registre-merge".to_owned())
        .spawn(move || {
            let merged = merge_in_turn(&writer, &live, &groups);
            lock(&writer).set_merge_policy(Box::new(LogMergePolicy::default()));
            merged?;
            if let Some(mut meta) = Layout::read_meta(&directory) {
                meta.merged = true;
                Layout::write_meta(&directory, &meta)?;
            }
            tracing::info!(
                generation = %live.generation,
                merges = groups.len(),
                segments = live.reader.searcher().segment_readers().len(),
                seconds = started.elapsed().as_secs_f64(),
                "search index segments merged"
            );
            Ok(())
        })?;
    Ok(thread)
}

/// Merges each group in turn; each merged segment's parts are warmed before the reload (which
/// holds the reload lock, see `LiveIndex`), and the reload lets go of the group's segments.
fn merge_in_turn(
    writer: &Mutex<IndexWriter>,
    live: &LiveIndex,
    groups: &[Vec<SegmentId>],
) -> Result<(), IndexerError> {
    let index = live.reader.searcher().index().clone();
    for group in groups {
        let merge = lock(writer).merge(group);
        if let Some(meta) = merge.wait()? {
            let reader = SegmentReader::open(&index.segment(meta))?;
            live.segments.get(&reader)?;
        }
        live.reload()?;
    }
    Ok(())
}

fn lock(writer: &Mutex<IndexWriter>) -> std::sync::MutexGuard<'_, IndexWriter> {
    writer.lock().unwrap_or_else(|e| e.into_inner())
}

/// The items split into at most `parts` groups of near-equal weight: the heaviest first, each to
/// the lightest group so far.
fn balanced(mut items: Vec<(SegmentId, u32)>, parts: usize) -> Vec<Vec<SegmentId>> {
    items.sort_by_key(|&(_, weight)| std::cmp::Reverse(weight));
    let mut groups: Vec<(u64, Vec<SegmentId>)> = vec![(0, Vec::new()); parts.max(1)];
    for (id, weight) in items {
        let lightest = groups
            .iter_mut()
            .min_by_key(|(total, _)| *total)
            .expect("at least one group");
        lightest.0 += u64::from(weight);
        lightest.1.push(id);
    }
    groups
        .into_iter()
        .map(|(_, ids)| ids)
        .filter(|ids| !ids.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::dice::Dice;
    use super::*;

    fn weights(groups: &[Vec<SegmentId>], items: &[(SegmentId, u32)]) -> Vec<u32> {
        groups
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(|id| items.iter().find(|(i, _)| i == id).expect("known").1)
                    .sum()
            })
            .collect()
    }

    #[test]
    fn segments_are_grouped_into_near_equal_parts() {
        // What a rebuild's writer threads flush: segments of similar sizes, a smaller last one each.
        let items: Vec<(SegmentId, u32)> =
            [52_000, 51_000, 50_000, 50_000, 48_000, 47_000, 9_000, 1_000]
                .into_iter()
                .map(|docs| (SegmentId::generate_random(), docs))
                .collect();
        let groups = balanced(items.clone(), 2);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups.iter().map(Vec::len).sum::<usize>(), items.len());
        let mut sums = weights(&groups, &items);
        sums.sort_unstable();
        // 51 + 50 + 48 + 1 and 52 + 50 + 47 + 9 (thousands).
        assert_eq!(sums, vec![150_000, 158_000]);
    }

    #[test]
    fn no_group_outweighs_another_by_more_than_the_heaviest_segment() {
        let mut dice = Dice::new(7);
        for parts in 1..5 {
            let items: Vec<(SegmentId, u32)> = (0..23)
                .map(|_| (SegmentId::generate_random(), dice.roll(90_000) as u32 + 1))
                .collect();
            let sums = weights(&balanced(items.clone(), parts), &items);
            assert_eq!(sums.len(), parts);
            let heaviest = items.iter().map(|(_, w)| *w).max().expect("items");
            let (least, most) = (
                sums.iter().min().expect("a group"),
                sums.iter().max().expect("a group"),
            );
            assert!(
                most - least <= heaviest,
                "{sums:?} with parts of at most {heaviest}"
            );
        }
    }

    #[test]
    fn fewer_segments_than_parts_stay_as_they_are() {
        let items = vec![(SegmentId::generate_random(), 10)];
        assert_eq!(balanced(items.clone(), 4), vec![vec![items[0].0]]);
        assert!(balanced(Vec::new(), 2).is_empty());
        assert_eq!(balanced(items.clone(), 0).len(), 1);
    }
}
