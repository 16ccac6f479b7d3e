//! Field and node-kind ids of the Python grammar, looked up once: finding a
//! field by name scans the grammar's field names, and a kind name costs a
//! `strlen` per node.

use std::sync::LazyLock;

fn language() -> tree_sitter::Language {
    tree_sitter_python::LANGUAGE.into()
}

/// Field ids, by field name.
#[allow(non_snake_case)]
pub(crate) struct Fields {
    pub alias: u16,
    pub alternative: u16,
    pub arguments: u16,
    pub attribute: u16,
    pub body: u16,
    pub condition: u16,
    pub consequence: u16,
    pub expression: u16,
    pub function: u16,
    pub key: u16,
    pub left: u16,
    pub module_name: u16,
    pub name: u16,
    pub object: u16,
    pub operator: u16,
    pub parameters: u16,
    pub right: u16,
    pub subscript: u16,
    pub superclasses: u16,
    pub value: u16,
}

pub(crate) static F: LazyLock<Fields> = LazyLock::new(|| {
    let l = language();
    let id = |name: &str| {
        l.field_id_for_name(name).map(|n| n.get()).unwrap_or_else(|| panic!("the Python grammar has a field {name}"))
    };
    Fields {
        alias: id("alias"),
        alternative: id("alternative"),
        arguments: id("arguments"),
        attribute: id("attribute"),
        body: id("body"),
        condition: id("condition"),
        consequence: id("consequence"),
        expression: id("expression"),
        function: id("function"),
        key: id("key"),
        left: id("left"),
        module_name: id("module_name"),
        name: id("name"),
        object: id("object"),
        operator: id("operator"),
        parameters: id("parameters"),
        right: id("right"),
        subscript: id("subscript"),
        superclasses: id("superclasses"),
        value: id("value"),
    }
});

/// Node-kind ids, by kind name.
pub(crate) struct Kinds {
    pub import_statement: u16,
    pub import_from_statement: u16,
    pub attribute: u16,
    pub parameters: u16,
    pub default_parameter: u16,
    pub typed_default_parameter: u16,
    pub typed_parameter: u16,
    pub list_splat_pattern: u16,
    pub dictionary_splat_pattern: u16,
    pub global_statement: u16,
    pub nonlocal_statement: u16,
    pub keyword_argument: u16,
    pub function_definition: u16,
    pub decorated_definition: u16,
    pub lambda: u16,
    pub class_definition: u16,
    pub assignment: u16,
    pub augmented_assignment: u16,
    pub named_expression: u16,
    pub for_statement: u16,
    pub for_in_clause: u16,
    pub with_item: u16,
    pub except_clause: u16,
    pub call: u16,
    pub identifier: u16,
    pub string: u16,
    pub block: u16,
    pub subscript: u16,
    pub binary_operator: u16,
    pub return_statement: u16,
    pub yield_: u16,
}

pub(crate) static K: LazyLock<Kinds> = LazyLock::new(|| {
    let l = language();
    let id = |name: &str| match l.id_for_node_kind(name, true) {
        0 => panic!("the Python grammar has a node kind {name}"),
        n => n,
    };
    Kinds {
        import_statement: id("import_statement"),
        import_from_statement: id("import_from_statement"),
        attribute: id("attribute"),
        parameters: id("parameters"),
        default_parameter: id("default_parameter"),
        typed_default_parameter: id("typed_default_parameter"),
        typed_parameter: id("typed_parameter"),
        list_splat_pattern: id("list_splat_pattern"),
        dictionary_splat_pattern: id("dictionary_splat_pattern"),
        global_statement: id("global_statement"),
        nonlocal_statement: id("nonlocal_statement"),
        keyword_argument: id("keyword_argument"),
        function_definition: id("function_definition"),
        decorated_definition: id("decorated_definition"),
        lambda: id("lambda"),
        class_definition: id("class_definition"),
        assignment: id("assignment"),
        augmented_assignment: id("augmented_assignment"),
        named_expression: id("named_expression"),
        for_statement: id("for_statement"),
        for_in_clause: id("for_in_clause"),
        with_item: id("with_item"),
        except_clause: id("except_clause"),
        call: id("call"),
        identifier: id("identifier"),
        string: id("string"),
        block: id("block"),
        subscript: id("subscript"),
        binary_operator: id("binary_operator"),
        return_statement: id("return_statement"),
        yield_: id("yield"),
    }
});

/// Every node kind's name, by kind id.
static KIND_NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let l = language();
    (0..l.node_kind_count())
        .map(|id| u16::try_from(id).ok().and_then(|id| l.node_kind_for_id(id)).unwrap_or("").to_string())
        .collect()
});

/// `Node::kind` from a table: the node's kind name without a `strlen` and
/// a UTF-8 check per call.
pub(crate) trait KindName {
    fn k(&self) -> &'static str;
}

impl KindName for tree_sitter::Node<'_> {
    #[inline]
    fn k(&self) -> &'static str {
        match self.kind_id() {
            // the parser's error symbol lies outside the grammar's table
            u16::MAX => "ERROR",
            id => KIND_NAMES.get(usize::from(id)).map_or("", String::as_str),
        }
    }
}

/// The ancestors of `n` from `root` down, each with its child on the way to
/// `n`, found in one walk down: `Node::parent` walks down from the root at
/// every call.
pub(crate) fn path_down<'t>(
    root: tree_sitter::Node<'t>,
    n: tree_sitter::Node<'t>,
) -> impl Iterator<Item = (tree_sitter::Node<'t>, tree_sitter::Node<'t>)> {
    let mut cur = Some(root);
    std::iter::from_fn(move || {
        let c = cur.take()?;
        if c.id() == n.id() {
            return None;
        }
        let next = c.child_with_descendant(n).filter(|x| x.id() != c.id())?;
        cur = Some(next);
        Some((c, next))
    })
}

#[cfg(test)]
mod tests {
    use super::KindName;

    /// The tree of `src`, and every node of it in document order.
    fn nodes_of(src: &str, each: impl FnMut(tree_sitter::Node<'_>, tree_sitter::Node<'_>)) -> tree_sitter::Tree {
        let mut each = each;
        let mut p = tree_sitter::Parser::new();
        p.set_language(&super::language()).expect("grammar");
        let tree = p.parse(src, None).expect("tree");
        {
            let mut c = tree.walk();
            'walk: loop {
                each(tree.root_node(), c.node());
                if c.goto_first_child() {
                    continue;
                }
                while !c.goto_next_sibling() {
                    if !c.goto_parent() {
                        break 'walk;
                    }
                }
            }
        }
        tree
    }

    #[test]
    fn the_path_down_is_the_chain_of_parents_reversed() {
        let src =
            "import torch\nclass K:\n    def f(self, x=[1, (2, g(3))]):\n        if x:\n            return torch.load(x)  # c\n";
        let mut checked = 0;
        nodes_of(src, |root, n| {
            let mut up = Vec::new();
            let mut x = n;
            while let Some(parent) = x.parent() {
                up.push((parent.id(), x.id()));
                x = parent;
            }
            up.reverse();
            let down: Vec<(usize, usize)> = super::path_down(root, n).map(|(a, b)| (a.id(), b.id())).collect();
            assert_eq!(down, up, "{n:?}");
            checked += 1;
        });
        assert!(checked > 40);
    }

    #[test]
    fn every_id_exists() {
        assert!(super::F.function > 0 && super::K.call > 0);
    }

    #[test]
    fn the_kind_table_names_every_node_as_the_parser_does() {
        let src = "x = (1 +\nimport a.b as c\nfrom . import d\n@dec\nclass K(B):\n    def f(self, *a, x=1, **k) -> int:\n        return [i async for i in g() if i] or {1: 2} or (lambda: 0)\nmatch v:\n    case [1, *r]: print(f'{v!r}')\n";
        let mut seen = 0;
        let tree = nodes_of(src, |_, n| {
            assert_eq!(n.k(), n.kind(), "{n:?}");
            seen += 1;
        });
        assert!(tree.root_node().has_error(), "an ERROR node, whose kind id is outside the grammar's table");
        assert!(seen > 100, "{seen} nodes");
    }
}
