//! Tables as the docker CLI prints them: Go's `text/tabwriter` set up as
//! `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)` (docker/cli `formatter.Context`): every cell
//! but a row's last is padded with spaces to its column's width = max(10, widest cell + 3),
//! widths counted in characters (runes); the last cell is never padded, and an empty last
//! cell leaves the padding of the cell before it (`docker history`'s `0B        `).
//!
//! Also the CLI's `Ellipsis` (`formatter.Ellipsis`): a cell longer than N runes keeps N-1 and
//! ends in `…`.

/// Lays out `rows` (the header first).
pub fn render(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate().take(r.len().saturating_sub(1)) {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut s = String::new();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            s.push_str(c);
            if i + 1 < r.len() {
                let w = (widths[i] + 3).max(10);
                s.extend(std::iter::repeat(' ').take(w - c.chars().count()));
            }
        }
        s.push('\n');
    }
    s
}

/// `formatter.Ellipsis(s, max)`.
pub fn ellipsis(s: &str, max: usize) -> String {
    if s.chars().count() <= max || max == 0 {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_all_but_the_last_cell() {
        let rows = vec![
            vec!["IMAGE".to_string(), "SIZE".into(), "COMMENT".into()],
            vec!["84cbfda7411d".to_string(), "0B".into(), "".into()],
        ];
        assert_eq!(render(&rows), "IMAGE          SIZE      COMMENT\n84cbfda7411d   0B        \n");
    }

    #[test]
    fn ellipsis_keeps_max_runes() {
        assert_eq!(ellipsis("abcdef", 4), "abc…");
        assert_eq!(ellipsis("abc", 4), "abc");
    }
}
