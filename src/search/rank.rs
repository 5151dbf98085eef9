//! Page-level ranking: which pages a query finds, in which order, and the sections each one
//! opens at. `handbook search` runs it on postings read from the index; the browser client
//! (`search.js`, `rankPages`) runs the same steps on the exported postings. Keep the two in
//! step: the parity tests compare their top ten.
//!
//! A query is a list of groups, one per word: the word's stem, its prefix expansions and its
//! synonyms, any of which matches. For each page and group, the group's score is its best
//! section's (the sum of the group's stem impacts there, exact stems counting twice as much as
//! expansions). A page is found when it covers enough groups (every group of one or two words,
//! at least half of longer queries; `+word` and phrase words always); pages covering more
//! groups rank first, then by the sum of their group scores plus their best section's score
//! (words found together count more), times the decision-status factor.

use std::collections::{BTreeMap, HashMap};

/// How many other sections of a page are offered under it.
pub const MORE_SECTIONS: usize = 2;

/// One group of a query: per stem, its postings `(section, impact)` in section order and its
/// weight (2 for the word itself, a synonym or a prefix the reader typed; 1 for an expansion
/// of a whole word).
pub struct Group<'p> {
    /// Postings and weight of each stem.
    pub stems: Vec<(&'p [(u32, u32)], u32)>,
    /// `+word` or a phrase word: a page without it is not found.
    pub required: bool,
}

/// A page the query found.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Page number.
    pub page: u32,
    /// Groups the page covers.
    pub covered: usize,
    /// Ranking value within pages covering as many groups.
    pub value: f64,
    /// The section with the highest score.
    pub best: u32,
    /// Other sections that match, best first, at most [`MORE_SECTIONS`].
    pub more: Vec<u32>,
    /// Per group, whether the page has it.
    pub has: Vec<bool>,
}

/// Groups a page must cover of a query of `n` groups.
pub fn needed(n: usize) -> usize {
    if n <= 2 { n } else { n.div_ceil(2) }
}

/// What [`rank`] needs to know about sections and pages.
pub struct Sections<'a> {
    /// Page of each section.
    pub page_of: &'a [u32],
    /// Status factor of each page.
    pub boost: &'a dyn Fn(u32) -> f64,
    /// Whether a page passes the query's filters.
    pub allowed: &'a dyn Fn(u32) -> bool,
    /// Whether a section holds the query's phrases (`None`: no phrases).
    pub phrases: Option<&'a dyn Fn(u32) -> bool>,
}

/// Ranks pages for `groups`. Without groups (filters only), every allowed page is found in page
/// order, at its first section.
pub fn rank(groups: &[Group<'_>], sections: &Sections<'_>) -> Vec<Found> {
    let n = groups.len();
    if n == 0 {
        let mut found: BTreeMap<u32, u32> = BTreeMap::new();
        for (sid, &page) in sections.page_of.iter().enumerate() {
            found.entry(page).or_insert(sid as u32);
        }
        return found
            .into_iter()
            .filter(|(page, _)| (sections.allowed)(*page))
            .map(|(page, sid)| Found {
                page,
                covered: 0,
                value: 0.0,
                best: sid,
                more: Vec::new(),
                has: Vec::new(),
            })
            .collect();
    }
    // Per section: each group's score. Per page: the groups it holds by a full-weight stem (the
    // word itself, a synonym, a typed prefix); a group that has such stems is covered only by
    // them, its expansions adding score but not coverage.
    let mut by_section: HashMap<u32, Vec<u64>> = HashMap::new();
    let mut strong: HashMap<u32, Vec<bool>> = HashMap::new();
    let needs_strong: Vec<bool> = groups
        .iter()
        .map(|group| {
            group
                .stems
                .iter()
                .any(|(postings, weight)| *weight >= 2 && !postings.is_empty())
        })
        .collect();
    for (g, group) in groups.iter().enumerate() {
        for &(postings, weight) in &group.stems {
            for &(sid, impact) in postings {
                by_section.entry(sid).or_insert_with(|| vec![0; n])[g] +=
                    u64::from(impact) * u64::from(weight);
                if weight >= 2
                    && let Some(&page) = sections.page_of.get(sid as usize)
                {
                    strong.entry(page).or_insert_with(|| vec![false; n])[g] = true;
                }
            }
        }
    }
    struct Page {
        best_of_group: Vec<u64>,
        sections: Vec<(u64, u32)>,
        phrase: bool,
    }
    let mut pages: HashMap<u32, Page> = HashMap::new();
    for (&sid, scores) in &by_section {
        let Some(&page) = sections.page_of.get(sid as usize) else {
            continue;
        };
        let entry = pages.entry(page).or_insert_with(|| Page {
            best_of_group: vec![0; n],
            sections: Vec::new(),
            phrase: sections.phrases.is_none(),
        });
        for (best, &score) in entry.best_of_group.iter_mut().zip(scores) {
            *best = (*best).max(score);
        }
        entry.sections.push((scores.iter().sum(), sid));
        if let Some(holds) = sections.phrases
            && !entry.phrase
            && holds(sid)
        {
            entry.phrase = true;
        }
    }
    let need = needed(n);
    let mut found: Vec<Found> = pages
        .into_iter()
        .filter_map(|(page, mut entry)| {
            let held = strong.get(&page);
            let has: Vec<bool> = entry
                .best_of_group
                .iter()
                .enumerate()
                .map(|(g, &best)| {
                    if needs_strong[g] {
                        held.is_some_and(|held| held[g])
                    } else {
                        best > 0
                    }
                })
                .collect();
            let covered = has.iter().filter(|&&has| has).count();
            let required = groups.iter().zip(&has).all(|(g, &has)| has || !g.required);
            if covered < need || !required || !entry.phrase || !(sections.allowed)(page) {
                return None;
            }
            entry
                .sections
                .sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let total: u64 = entry.best_of_group.iter().sum::<u64>() + entry.sections[0].0;
            Some(Found {
                page,
                covered,
                value: total as f64 * (sections.boost)(page),
                best: entry.sections[0].1,
                more: entry
                    .sections
                    .iter()
                    .skip(1)
                    .take(MORE_SECTIONS)
                    .map(|(_, sid)| *sid)
                    .collect(),
                has,
            })
        })
        .collect();
    found.sort_by(|a, b| {
        b.covered
            .cmp(&a.covered)
            .then(b.value.total_cmp(&a.value))
            .then(a.page.cmp(&b.page))
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A group of one full-weight stem.
    fn word(postings: &[(u32, u32)]) -> Group<'_> {
        Group {
            stems: vec![(postings, 2)],
            required: false,
        }
    }

    fn ranked(groups: &[Group<'_>], page_of: &[u32]) -> Vec<(u32, usize, u32)> {
        let sections = Sections {
            page_of,
            boost: &|_| 1.0,
            allowed: &|_| true,
            phrases: None,
        };
        rank(groups, &sections)
            .into_iter()
            .map(|found| (found.page, found.covered, found.best))
            .collect()
    }

    #[test]
    fn pages_covering_the_query_across_sections_are_found_and_rank_first() {
        // Page 0: "trait" and "object" in section 0, "upcasting" in section 1. Page 1: all
        // three words in its only section, weakly. Page 2: only "trait", strongly.
        let page_of = [0, 0, 1, 2];
        let trait_ = [(0, 50), (2, 10), (3, 900)];
        let object = [(0, 40), (2, 10)];
        let upcasting = [(1, 70), (2, 10)];
        let groups = [word(&trait_), word(&object), word(&upcasting)];
        assert_eq!(ranked(&groups, &page_of), vec![(0, 3, 0), (1, 3, 2)]);
        // Two of three groups are enough to be found, below every full match.
        let page_of = [0, 0, 1, 2, 2];
        let object = [(0, 40), (2, 10), (4, 5)];
        let groups = [word(&trait_), word(&object), word(&upcasting)];
        assert_eq!(
            ranked(&groups, &page_of),
            vec![(0, 3, 0), (1, 3, 2), (2, 2, 3)]
        );
    }

    #[test]
    fn two_words_are_both_needed_and_required_words_always() {
        let page_of = [0, 1];
        let a = [(0, 10), (1, 10)];
        let b = [(1, 10)];
        let groups = [word(&a), word(&b)];
        assert_eq!(ranked(&groups, &page_of), vec![(1, 2, 1)]);
        let c = [(0, 10)];
        let groups = [
            word(&a),
            word(&b),
            Group {
                stems: vec![(&c[..], 2)],
                required: true,
            },
        ];
        assert_eq!(ranked(&groups, &page_of), vec![(0, 2, 0)]);
    }

    #[test]
    fn expansions_add_score_but_cover_a_word_only_when_the_word_itself_is_nowhere() {
        // "generate tokens": page 0 has "generator" (an expansion) and "tokens"; page 1 has
        // "generate" and "tokens". Only page 1 holds both words.
        let page_of = [0, 1];
        let generate = [(1, 10)];
        let generator = [(0, 90)];
        let tokens = [(0, 10), (1, 10)];
        let groups = [
            Group {
                stems: vec![(&generate[..], 2), (&generator[..], 1)],
                required: false,
            },
            word(&tokens),
        ];
        assert_eq!(ranked(&groups, &page_of), vec![(1, 2, 1)]);
        // A word found only through its expansions (a partial word) is covered by them.
        let groups = [Group {
            stems: vec![(&generator[..], 1)],
            required: false,
        }];
        assert_eq!(ranked(&groups, &page_of), vec![(0, 1, 0)]);
    }

    #[test]
    fn expansions_weigh_half_and_the_best_section_is_where_words_meet() {
        let page_of = [0, 0, 0];
        let exact = [(0, 10), (1, 10)];
        let expansion = [(1, 10), (2, 30)];
        let groups = [Group {
            stems: vec![(&exact[..], 2), (&expansion[..], 1)],
            required: false,
        }];
        let found = rank(
            &groups,
            &Sections {
                page_of: &page_of,
                boost: &|_| 0.5,
                allowed: &|_| true,
                phrases: None,
            },
        );
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].best, found[0].more.clone()), (1, vec![2, 0]));
        assert_eq!(found[0].value, (30.0 + 30.0) * 0.5);
    }
}
