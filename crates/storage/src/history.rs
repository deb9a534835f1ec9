//! Paging arithmetic of core.telegram.org/api/offsets, independent of any database.
//!
//! The list is a dialog's messages newest first, after `max_id`/`min_id` filtering. The
//! page is the `limit` entries starting at index `offsetFromID(offset_id) + add_offset`,
//! where `offsetFromID` counts the entries up to and including `offset_id`, i.e. those
//! with id ≥ `offset_id` ("newer side"); the rest form the "older side". With
//! `offset_id = 0`, `offset_date` picks the boundary instead (date ≥ `offset_date` is
//! newer); clients send both of the last message seen, so the id wins when set, which
//! keeps messages of the same second apart. A window reaching before the newest entry is
//! cut there rather than shifted, so a negative `add_offset` past the top returns fewer.
//!
//! A store fetches each side with one ordered, offset/limit query; this module computes
//! those offsets so SQL and any other backend agree with the reference semantics.

use crate::types::{clamp_limit, HistoryQuery};

/// One ordered slice of a side: skip `offset` entries, take at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slice {
    pub offset: i64,
    pub limit: i64,
}

/// Where the page boundary lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boundary {
    /// No offset: every entry is on the older side.
    None,
    /// Entries with id ≥ this are on the newer side.
    Id(i32),
    /// Entries with date ≥ this are on the newer side.
    Date(i64),
}

/// The two queries a history page needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryPlan {
    pub boundary: Boundary,
    /// Newer side in ascending id order (nearest the boundary first); reverse the rows.
    pub newer: Option<Slice>,
    /// Older side in descending id order.
    pub older: Option<Slice>,
}

impl HistoryPlan {
    /// Plans the page for `query`; `limit` is clamped to 1..=100 first.
    pub fn new(query: &HistoryQuery) -> HistoryPlan {
        let limit = i64::from(clamp_limit(query.limit));
        let add_offset = i64::from(query.add_offset);
        let boundary = if query.offset_id > 0 {
            Boundary::Id(query.offset_id)
        } else if query.offset_date > 0 {
            Boundary::Date(query.offset_date)
        } else {
            Boundary::None
        };
        if add_offset >= 0 {
            return HistoryPlan {
                boundary,
                newer: None,
                older: Some(Slice {
                    offset: add_offset,
                    limit,
                }),
            };
        }
        // The window starts `back` entries before the boundary. Its newer part is the
        // entries ranked (back - limit + 1)..=back counting up from the boundary.
        let back = -add_offset;
        let newer = (boundary != Boundary::None).then_some(Slice {
            offset: (back - limit).max(0),
            limit: back.min(limit),
        });
        let older = (limit > back).then_some(Slice {
            offset: 0,
            limit: limit - back,
        });
        HistoryPlan {
            boundary,
            newer,
            older,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The offsets page taken literally: `ids` newest first, boundary index `pos`.
    fn reference(ids: &[i32], pos: usize, add_offset: i64, limit: i64) -> Vec<i32> {
        let start = pos as i64 + add_offset;
        let end = start + limit;
        (start.max(0)..end.min(ids.len() as i64))
            .map(|i| ids[i as usize])
            .collect()
    }

    /// Applies a plan to an in-memory list the way the SQL store does.
    fn apply(ids: &[i32], plan: &HistoryPlan) -> Vec<i32> {
        let is_newer = |id: i32| match plan.boundary {
            Boundary::Id(b) => id >= b,
            Boundary::None => false,
            Boundary::Date(_) => unreachable!("test uses ids"),
        };
        let mut newer_asc: Vec<i32> = ids.iter().rev().copied().filter(|&i| is_newer(i)).collect();
        let older: Vec<i32> = ids.iter().copied().filter(|&i| !is_newer(i)).collect();
        let take = |v: &mut Vec<i32>, s: Option<Slice>| -> Vec<i32> {
            match s {
                None => Vec::new(),
                Some(s) => v
                    .iter()
                    .skip(s.offset as usize)
                    .take(s.limit as usize)
                    .copied()
                    .collect(),
            }
        };
        let mut page: Vec<i32> = take(&mut newer_asc, plan.newer);
        page.reverse();
        let mut older = older;
        page.extend(take(&mut older, plan.older));
        page
    }

    #[test]
    fn matches_reference_for_all_small_cases() {
        let ids: Vec<i32> = (1..=12).rev().collect();
        for offset_id in 0..=14 {
            for add_offset in -15..=14 {
                for limit in 1..=14 {
                    let q = HistoryQuery {
                        offset_id,
                        add_offset,
                        limit,
                        ..Default::default()
                    };
                    let plan = HistoryPlan::new(&q);
                    let pos = if offset_id == 0 {
                        0
                    } else {
                        ids.iter().filter(|&&i| i >= offset_id).count()
                    };
                    assert_eq!(
                        apply(&ids, &plan),
                        reference(&ids, pos, add_offset.into(), limit.into()),
                        "offset_id {offset_id} add_offset {add_offset} limit {limit}"
                    );
                }
            }
        }
    }

    #[test]
    fn documented_examples() {
        // 20 messages older than MSGID.
        let plan = HistoryPlan::new(&HistoryQuery {
            offset_id: 50,
            limit: 20,
            ..Default::default()
        });
        assert_eq!(plan.newer, None);
        assert_eq!(
            plan.older,
            Some(Slice {
                offset: 0,
                limit: 20
            })
        );
        // 20 newer: the window is entirely on the newer side, MSGID included.
        let plan = HistoryPlan::new(&HistoryQuery {
            offset_id: 50,
            add_offset: -20,
            limit: 20,
            ..Default::default()
        });
        assert_eq!(
            plan.newer,
            Some(Slice {
                offset: 0,
                limit: 20
            })
        );
        assert_eq!(plan.older, None);
        // Around: 10 on each side.
        let plan = HistoryPlan::new(&HistoryQuery {
            offset_id: 50,
            add_offset: -10,
            limit: 20,
            ..Default::default()
        });
        assert_eq!(
            plan.newer,
            Some(Slice {
                offset: 0,
                limit: 10
            })
        );
        assert_eq!(
            plan.older,
            Some(Slice {
                offset: 0,
                limit: 10
            })
        );
    }

    #[test]
    fn limit_is_clamped_and_date_boundary_used_without_id() {
        let plan = HistoryPlan::new(&HistoryQuery {
            offset_date: 99,
            limit: 1000,
            ..Default::default()
        });
        assert_eq!(plan.boundary, Boundary::Date(99));
        assert_eq!(
            plan.older,
            Some(Slice {
                offset: 0,
                limit: 100
            })
        );
        let plan = HistoryPlan::new(&HistoryQuery {
            offset_id: 7,
            offset_date: 99,
            ..Default::default()
        });
        assert_eq!(plan.boundary, Boundary::Id(7));
        assert_eq!(
            plan.older,
            Some(Slice {
                offset: 0,
                limit: 20
            })
        );
    }

    #[test]
    fn extreme_add_offset_does_not_overflow() {
        let plan = HistoryPlan::new(&HistoryQuery {
            offset_id: 1,
            add_offset: i32::MIN,
            limit: 100,
            ..Default::default()
        });
        assert_eq!(
            plan.newer,
            Some(Slice {
                offset: -(i64::from(i32::MIN)) - 100,
                limit: 100
            })
        );
        let plan = HistoryPlan::new(&HistoryQuery {
            add_offset: i32::MAX,
            limit: 5,
            ..Default::default()
        });
        assert_eq!(
            plan.older,
            Some(Slice {
                offset: i64::from(i32::MAX),
                limit: 5
            })
        );
    }
}
