//! The folder tree shows the layers, and the layers do not loop: no
//! top-level module of the crate imports another that imports it back,
//! directly or through others.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

/// Every `.rs` file below `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).expect("a source folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
    files
}

/// The code of a file without its comments.
fn code(path: &Path) -> String {
    fs::read_to_string(path)
        .expect("a readable source file")
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first segment of each path below `crate::` in `code`, reading a
/// group (`crate::{a::b, c}`) item by item.
fn imported_modules(code: &str) -> BTreeSet<String> {
    let mut modules = BTreeSet::new();
    let word = |text: &str| -> String {
        text.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (index, _) in code.match_indices("crate::") {
        let rest = &code[index + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut at_item = true;
            for (offset, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => at_item = true,
                    c if c.is_whitespace() => {}
                    _ if at_item && depth == 0 => {
                        modules.insert(word(&group[offset..]));
                        at_item = false;
                    }
                    _ => {}
                }
            }
        } else {
            modules.insert(word(rest));
        }
    }
    modules.retain(|module| !module.is_empty());
    modules
}

/// Which top-level modules each top-level module imports.
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in sources(&src) {
        let relative = file.strip_prefix(&src).expect("a file below src");
        let module = relative
            .components()
            .next()
            .and_then(|part| part.as_os_str().to_str())
            .map(|part| part.trim_end_matches(".rs").to_owned())
            .expect("a module name");
        if module == "lib" || module == "main" {
            continue;
        }
        let imports = graph.entry(module.clone()).or_default();
        imports.extend(
            imported_modules(&code(&file))
                .into_iter()
                .filter(|imported| *imported != module),
        );
    }
    graph
}

/// A loop of imports through `start`, if there is one.
fn cycle_through(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![start.to_owned()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().expect("a non-empty path");
        for next in graph.get(last).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(start.to_owned());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn no_top_level_module_imports_one_that_imports_it_back() {
    // Arrange
    let graph = import_graph();

    // Act
    let cycles: Vec<Vec<String>> = graph
        .keys()
        .filter_map(|module| cycle_through(&graph, module))
        .collect();

    // Assert
    assert!(graph.len() > 5, "the graph was read: {graph:?}");
    assert!(cycles.is_empty(), "import cycles {cycles:?} in {graph:#?}");
}

#[test]
fn the_domain_knows_nothing_of_http_or_json_api() {
    // Arrange
    let graph = import_graph();

    for domain in ["users", "posts", "auth"] {
        // Act
        let imports = &graph[domain];

        // Assert
        for layer in ["api", "jsonapi", "startup"] {
            assert!(
                !imports.contains(layer),
                "{domain} imports {layer}: {imports:?}"
            );
        }
    }
    assert!(!graph["auth"].contains("users"), "auth imports users");
}

#[test]
fn grouped_imports_are_read_item_by_item() {
    let modules = imported_modules("use crate::{a::{b, c::d}, e, f::g};\nlet x = crate::h::i;");
    assert_eq!(
        modules,
        ["a", "e", "f", "h"]
            .map(str::to_owned)
            .into_iter()
            .collect()
    );
}
