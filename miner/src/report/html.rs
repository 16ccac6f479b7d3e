//! Self-contained HTML pages and the SVG charts in them, drawn here: no
//! script, no stylesheet or font fetched, so a page opens anywhere offline.

use std::fmt::Write;

pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const CSS: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2430;background:#f4f6f9}
main{max-width:1240px;margin:0 auto;padding:28px 32px 60px}
h1{font-size:26px;margin:0 0 4px} h2{font-size:19px;margin:34px 0 10px;border-bottom:1px solid #d8dde6;padding-bottom:6px}
.sub{color:#5b6577;margin:0 0 18px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:18px 0}
.card{background:#fff;border:1px solid #dde2ea;border-radius:10px;padding:12px 16px;min-width:130px}
.card b{display:block;font-size:24px} .card span{color:#5b6577;font-size:13px}
table{border-collapse:collapse;background:#fff;width:100%;font-size:13px;margin:6px 0 10px;table-layout:auto}
td code,td a{overflow-wrap:anywhere} .tw{overflow-x:auto}
th,td{border:1px solid #dde2ea;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef1f6} td.n{text-align:right;font-variant-numeric:tabular-nums}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px;background:#eef1f6;padding:1px 4px;border-radius:4px}
.charts{display:flex;flex-wrap:wrap;gap:16px}
figure{margin:0;background:#fff;border:1px solid #dde2ea;border-radius:10px;padding:10px 12px}
figcaption{font-weight:600;margin-bottom:4px;font-size:14px}
.risk{color:#b42318;font-weight:600} .ok{color:#067647} .muted{color:#5b6577}
ul.f{margin:0;padding-left:18px} .graph{overflow-x:auto;background:#fff;border:1px solid #dde2ea;border-radius:10px}
a{color:#1f5fbf}
"#;

/// A whole page.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"generator\" content=\"modelmine {}\"><title>{}</title><style>{CSS}</style></head>\n<body><main>\n{body}\n</main></body></html>\n",
        env!("CARGO_PKG_VERSION"),
        esc(title)
    )
}

/// Summary cards: (value, caption).
pub fn cards(items: &[(String, &str)]) -> String {
    let mut s = String::from("<div class=\"cards\">");
    for (v, c) in items {
        let _ = write!(s, "<div class=\"card\"><b>{}</b><span>{}</span></div>", esc(v), esc(c));
    }
    s.push_str("</div>\n");
    s
}

/// A table; cells are HTML already (escape what needs it), numbers right-aligned.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<div class=\"tw\"><table><thead><tr>");
    for h in header {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr></thead><tbody>\n");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let numeric = !c.is_empty() && c.chars().all(|ch| ch.is_ascii_digit() || ".,%–-".contains(ch));
            if numeric {
                let _ = write!(s, "<td class=\"n\">{c}</td>");
            } else {
                let _ = write!(s, "<td>{c}</td>");
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></div>\n");
    s
}

const PALETTE: &[&str] = &["#2f6fdb", "#17a589", "#e67e22", "#8e44ad", "#c0392b", "#2c3e50", "#d4ac0d", "#16a085"];

/// A figure with its caption and the opening tag of its chart.
fn chart_open(id: &str, title: &str, width: f64, height: f64) -> String {
    format!(
        "<figure><figcaption>{}</figcaption><svg class=\"chart\" id=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"system-ui,sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"{}\">",
        esc(title),
        esc(id),
        esc(title)
    )
}

/// Horizontal bars: (label, value, text shown after the bar). Optional
/// reference marks (e.g. another study's share) are drawn as ticks.
pub fn bar_chart(id: &str, title: &str, items: &[(String, f64, String)], marks: &[(usize, f64)], max: Option<f64>) -> String {
    let label_w = 180.0;
    let bar_w = 250.0;
    let row_h = 24.0;
    let top = 8.0;
    let width = label_w + bar_w + 150.0;
    let height = top * 2.0 + row_h * items.len().max(1) as f64;
    let max = max.unwrap_or_else(|| items.iter().map(|i| i.1).fold(0.0, f64::max)).max(1e-9);
    let mut s = chart_open(id, title, width, height);
    if items.is_empty() {
        let _ = write!(s, "<text x=\"8\" y=\"{:.0}\" fill=\"#5b6577\">nothing to show</text>", top + 16.0);
    }
    for (i, (label, v, text)) in items.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let w = (v / max * bar_w).max(if *v > 0.0 { 2.0 } else { 0.0 });
        let short: String = label.chars().take(30).collect();
        let color = PALETTE[id.bytes().map(usize::from).sum::<usize>() % PALETTE.len()];
        let _ = write!(
            s,
            "<text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect x=\"{label_w:.0}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.0}\" rx=\"3\" fill=\"{color}\"><title>{}: {}</title></rect><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#1d2430\">{}</text>",
            label_w - 8.0,
            y + 16.0,
            esc(&short),
            y + 4.0,
            row_h - 8.0,
            esc(label),
            esc(text),
            label_w + w + 6.0,
            y + 16.0,
            esc(text)
        );
    }
    for (i, m) in marks {
        let y = top + *i as f64 * row_h;
        let x = label_w + m / max * bar_w;
        let _ = write!(
            s,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#1d2430\" stroke-width=\"2\"><title>reference: {:.1}%</title></line>",
            y + 1.0,
            y + row_h - 1.0,
            m * 100.0
        );
    }
    s.push_str("</svg></figure>\n");
    s
}

/// Vertical bars of a distribution: (bucket label, count).
pub fn histogram(id: &str, title: &str, x_label: &str, buckets: &[(String, u64)]) -> String {
    let (left, bottom, top) = (40.0, 42.0, 14.0);
    let col_w = 46.0;
    let plot_h = 170.0;
    let width = left + 16.0 + col_w * buckets.len().max(1) as f64;
    let height = top + plot_h + bottom;
    let max = buckets.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let mut s = chart_open(id, title, width, height);
    let base = top + plot_h;
    let _ = write!(s, "<line x1=\"{left}\" x2=\"{:.0}\" y1=\"{base}\" y2=\"{base}\" stroke=\"#8a94a6\"/>", width - 8.0);
    for (i, (label, n)) in buckets.iter().enumerate() {
        let x = left + 6.0 + i as f64 * col_w;
        let h = *n as f64 / max * (plot_h - 14.0);
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.0}\" height=\"{h:.1}\" rx=\"3\" fill=\"#2f6fdb\"><title>{}: {n}</title></rect><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{n}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#5b6577\">{}</text>",
            base - h,
            col_w - 10.0,
            esc(label),
            x + (col_w - 10.0) / 2.0,
            base - h - 4.0,
            x + (col_w - 10.0) / 2.0,
            base + 16.0,
            esc(label)
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"middle\" fill=\"#5b6577\">{}</text></svg></figure>",
        left + (width - left) / 2.0,
        height - 6.0,
        esc(x_label)
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_their_text_and_size_to_their_rows() {
        let c = bar_chart("c", "A <b>", &[("x&y".into(), 3.0, "3".into()), ("z".into(), 1.0, "1".into())], &[(0, 2.0)], None);
        assert!(c.contains("A &lt;b&gt;") && c.contains("x&amp;y"));
        assert!(c.contains("height=\"64\""), "{c}");
        assert!(c.contains("width=\"580\""), "{c}");
        let h = histogram("h", "models", "per system", &[("0".into(), 2), ("1".into(), 5)]);
        assert!(h.contains("<rect") && h.contains("per system"));
        assert!(page("t", "<p>x</p>").starts_with("<!DOCTYPE html>"));
    }
}
