//! What the measuring examples share. Each uses some of these: the others
//! are dead code to it.
#![allow(dead_code)]

/// The path of every `.py` file under `dir`, in the walk's order.
pub fn python_paths(dir: &str) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "py"))
        .map(|e| e.into_path())
        .collect()
}

/// Every `.py` file under `dir`, by its path relative to `dir`, sorted.
pub fn python_files(dir: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = python_paths(dir)
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(dir).ok()?.to_string_lossy().into_owned();
            Some((rel, std::fs::read(&p).ok()?))
        })
        .collect();
    files.sort();
    files
}

/// For each folder given on the command line (each one repository),
/// `measure` it and `print` the counts; with several, also their sums.
pub fn each_folder<const N: usize>(
    example: &str,
    measure: impl Fn(&str, &analyzers::Catalog) -> [usize; N],
    print: impl Fn(&str, &[usize; N]),
) {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    assert!(!dirs.is_empty(), "usage: {example} DIR...");
    let catalog = analyzers::Catalog::embedded().expect("catalog");
    let mut sum = [0usize; N];
    for dir in &dirs {
        let r = measure(dir, &catalog);
        print(dir, &r);
        for (s, x) in sum.iter_mut().zip(r) {
            *s += x;
        }
    }
    if dirs.len() > 1 {
        print(&format!("all {} repositories", dirs.len()), &sum);
    }
}
