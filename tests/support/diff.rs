//! A small unified-style line diff for failure reports.

use std::fmt::Write as _;

/// Lines of context around each change.
const CONTEXT: usize = 3;
/// Above this many line pairs the diff skips the longest-common-subsequence
/// search and shows the differing middle as one change.
const MAX_LCS_CELLS: usize = 4_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    Same,
    Removed,
    Added,
}

/// Unified-style diff of `expected` (`-`) against `actual` (`+`), each line
/// prefixed with `indent`; empty when the texts are equal. A changed line
/// that ends in whitespace is shown with a `$` after it, and a last line
/// without a newline is followed by `\ No newline at end of file`.
pub fn unified(expected: &[u8], actual: &[u8], indent: &str) -> String {
    if expected == actual {
        return String::new();
    }
    let old = split_lines(expected);
    let new = split_lines(actual);
    let edits = edit_script(&old, &new);

    let mut out = String::new();
    let mut marked_whitespace = false;
    // Positions (in edits) of changes, grouped into hunks with context.
    let changes: Vec<usize> = (0..edits.len())
        .filter(|&i| edits[i] != Edit::Same)
        .collect();
    let mut start = 0;
    while start < changes.len() {
        let mut end = start;
        while end + 1 < changes.len() && changes[end + 1] - changes[end] <= 2 * CONTEXT + 1 {
            end += 1;
        }
        let from = changes[start].saturating_sub(CONTEXT);
        let to = (changes[end] + CONTEXT + 1).min(edits.len());
        // Line numbers at `from`.
        let (mut old_line, mut new_line) = (0, 0);
        for edit in &edits[..from] {
            match edit {
                Edit::Same => (old_line, new_line) = (old_line + 1, new_line + 1),
                Edit::Removed => old_line += 1,
                Edit::Added => new_line += 1,
            }
        }
        let old_count = edits[from..to]
            .iter()
            .filter(|e| **e != Edit::Added)
            .count();
        let new_count = edits[from..to]
            .iter()
            .filter(|e| **e != Edit::Removed)
            .count();
        let _ = writeln!(
            out,
            "{indent}@@ -{} +{} @@",
            hunk_range(old_line, old_count),
            hunk_range(new_line, new_count)
        );
        for edit in &edits[from..to] {
            let (sign, line) = match edit {
                Edit::Same => {
                    new_line += 1;
                    old_line += 1;
                    (' ', new[new_line - 1])
                }
                Edit::Removed => {
                    old_line += 1;
                    ('-', old[old_line - 1])
                }
                Edit::Added => {
                    new_line += 1;
                    ('+', new[new_line - 1])
                }
            };
            let text = String::from_utf8_lossy(line.strip_suffix(b"\n").unwrap_or(line));
            let mark = sign != ' ' && text.ends_with([' ', '\t']);
            marked_whitespace |= mark;
            let _ = writeln!(out, "{indent}{sign}{text}{}", if mark { "$" } else { "" });
            if !line.ends_with(b"\n") {
                let _ = writeln!(out, "{indent}\\ No newline at end of file");
            }
        }
        start = end + 1;
    }
    if marked_whitespace {
        let _ = writeln!(
            out,
            "{indent}($ marks the end of a line ending in whitespace)"
        );
    }
    out
}

fn hunk_range(before: usize, count: usize) -> String {
    match count {
        0 => format!("{before},0"),
        1 => format!("{}", before + 1),
        _ => format!("{},{count}", before + 1),
    }
}

/// Lines including their `\n` (the last may lack one).
fn split_lines(text: &[u8]) -> Vec<&[u8]> {
    text.split_inclusive(|&b| b == b'\n').collect()
}

/// A shortest edit script turning `old` into `new`, by longest common
/// subsequence after trimming the common prefix and suffix.
fn edit_script(old: &[&[u8]], new: &[&[u8]]) -> Vec<Edit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_mid = &old[prefix..old.len() - suffix];
    let new_mid = &new[prefix..new.len() - suffix];

    let mut edits = vec![Edit::Same; prefix];
    if old_mid.len().saturating_mul(new_mid.len()) > MAX_LCS_CELLS {
        edits.extend(std::iter::repeat_n(Edit::Removed, old_mid.len()));
        edits.extend(std::iter::repeat_n(Edit::Added, new_mid.len()));
    } else {
        edits.extend(lcs_edits(old_mid, new_mid));
    }
    edits.extend(std::iter::repeat_n(Edit::Same, suffix));
    edits
}

fn lcs_edits(old: &[&[u8]], new: &[&[u8]]) -> Vec<Edit> {
    let (n, m) = (old.len(), new.len());
    // lcs[i][j]: length of the LCS of old[i..] and new[j..].
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[at(i, j)] = if old[i] == new[j] {
                lcs[at(i + 1, j + 1)] + 1
            } else {
                lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
            };
        }
    }
    let mut edits = Vec::with_capacity(n + m);
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            edits.push(Edit::Same);
            (i, j) = (i + 1, j + 1);
        } else if j < m && (i == n || lcs[at(i, j + 1)] >= lcs[at(i + 1, j)]) {
            edits.push(Edit::Added);
            j += 1;
        } else {
            edits.push(Edit::Removed);
            i += 1;
        }
    }
    // Show removals before additions within each change, as diff(1) does.
    let mut k = 0;
    while k < edits.len() {
        if edits[k] == Edit::Same {
            k += 1;
            continue;
        }
        let end = (k..edits.len())
            .find(|&e| edits[e] == Edit::Same)
            .unwrap_or(edits.len());
        edits[k..end].sort_by_key(|e| *e != Edit::Removed);
        k = end;
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_give_no_diff() {
        assert_eq!(unified(b"a\nb\n", b"a\nb\n", ""), "");
    }

    #[test]
    fn shows_a_changed_line_with_context() {
        let old = b"1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = b"1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assert_eq!(
            unified(old, new, "  "),
            "  @@ -2,7 +2,7 @@\n   2\n   3\n   4\n  -5\n  +five\n   6\n   7\n   8\n"
        );
    }

    #[test]
    fn separates_distant_changes_into_hunks() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new = old.replace("2\n", "two\n").replace("18\n", "eighteen\n");
        let diff = unified(old.as_bytes(), new.as_bytes(), "");
        assert_eq!(diff.matches("@@").count(), 4, "{diff}");
        assert!(
            diff.contains("-2\n+two\n") && diff.contains("-18\n+eighteen\n"),
            "{diff}"
        );
    }

    #[test]
    fn handles_insertions_deletions_and_empty_sides() {
        assert_eq!(unified(b"", b"x\n", ""), "@@ -0,0 +1 @@\n+x\n");
        assert_eq!(unified(b"x\n", b"", ""), "@@ -1 +0,0 @@\n-x\n");
        assert_eq!(
            unified(b"a\nc\n", b"a\nb\nc\n", ""),
            "@@ -1,2 +1,3 @@\n a\n+b\n c\n"
        );
    }

    #[test]
    fn marks_trailing_whitespace_and_missing_newline() {
        let diff = unified(b"a  \n", b"a", "");
        assert_eq!(
            diff,
            "@@ -1 +1 @@\n-a  $\n+a\n\\ No newline at end of file\n\
             ($ marks the end of a line ending in whitespace)\n"
        );
    }
}
