//! PostgreSQL's resolution rules, after parse_coerce.c, parse_oper.c and parse_func.c
//! (PostgreSQL docs, "Type Conversion"): coercibility, operator and function overload
//! resolution (exact match, implicit-cast candidates, preferred types, unknown-literal
//! categories), polymorphic argument resolution, and the UNION/CASE common type.

use super::types::Types;
use super::{Fail, Res, error, unsupported};
use crate::builtins::{CastContext, oid};

/// `CoercionContext`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ctx {
    Implicit,
    Assignment,
    Explicit,
}

fn allows(cast: CastContext, ctx: Ctx) -> bool {
    match cast {
        CastContext::Implicit => true,
        CastContext::Assignment => ctx >= Ctx::Assignment,
        CastContext::Explicit => ctx == Ctx::Explicit,
    }
}

/// `find_coercion_pathway` != NONE (for non-polymorphic targets).
pub fn can_cast(t: &Types, from: u32, to: u32, ctx: Ctx) -> bool {
    if from == to || to == oid::ANY || from == oid::UNKNOWN {
        return true;
    }
    // can_coerce_type: a composite value is a `record`, and a `record` may be any composite
    // (checked at run time); likewise for their arrays.
    if (to == oid::RECORD && t.is_composite(from)) || (from == oid::RECORD && t.is_composite(to)) {
        return true;
    }
    if to == RECORD_ARRAY && t.element_of(from).is_some_and(|e| t.is_composite(e)) {
        return true;
    }
    if let Some(cast) = t.builtins.cast(from, to) {
        return allows(cast.context, ctx);
    }
    if let (Some(ef), Some(et)) = (t.element_of(from), t.element_of(to))
        && t.category(from) == 'A'
        && t.category(to) == 'A'
    {
        return can_cast(t, ef, et, ctx);
    }
    if t.category(to) == 'S' {
        return ctx >= Ctx::Assignment;
    }
    if t.category(from) == 'S' {
        return ctx == Ctx::Explicit;
    }
    false
}

pub fn is_polymorphic(ty: u32) -> bool {
    crate::builtins::is_polymorphic(ty)
}

/// `_record`.
const RECORD_ARRAY: u32 = 2287;

/// Whether one actual type can stand for a polymorphic declared type, before consistency.
fn fits_polymorphic(t: &Types, actual: u32, declared: u32) -> bool {
    if actual == oid::UNKNOWN {
        return true;
    }
    match declared {
        oid::ANYELEMENT | oid::ANYCOMPATIBLE => true,
        oid::ANYNONARRAY | oid::ANYCOMPATIBLENONARRAY => !t.is_array(actual),
        oid::ANYENUM => t.is_enum(actual),
        // An `anyarray` value (`pg_stats.most_common_vals`) matches `anyarray` itself.
        oid::ANYARRAY if actual == oid::ANYARRAY => true,
        // `record[]` is an array (typelem record, varlena) of the pseudo-type category.
        oid::ANYARRAY | oid::ANYCOMPATIBLEARRAY => {
            t.is_array(actual) && (t.category(actual) == 'A' || actual == RECORD_ARRAY)
        }
        oid::ANYRANGE => t.range_subtype(actual).is_some(),
        oid::ANYMULTIRANGE => t.multirange_range(actual).is_some(),
        _ => false,
    }
}

/// `can_coerce_type` for a whole argument list (implicit context), polymorphism included.
pub fn can_coerce_all(t: &Types, actual: &[u32], declared: &[u32]) -> bool {
    let mut poly = false;
    for (&a, &d) in actual.iter().zip(declared) {
        if is_polymorphic(d) {
            poly = true;
            if !fits_polymorphic(t, a, d) {
                return false;
            }
        } else if !can_cast(t, a, d, Ctx::Implicit) {
            return false;
        }
    }
    !poly || generic_type_consistent(t, actual, declared)
}

/// `check_generic_type_consistency`: whether the actual types of the polymorphic arguments
/// agree with each other (unknown inputs match anything; nothing needs to be determinable).
fn generic_type_consistent(t: &Types, actual: &[u32], declared: &[u32]) -> bool {
    let mut elem: Option<u32> = None;
    let mut array: Option<u32> = None;
    let mut range: Option<u32> = None;
    let mut multirange: Option<u32> = None;
    let mut compat: Vec<u32> = Vec::new();
    let (mut nonarray, mut anyenum, mut compat_nonarray) = (false, false, false);
    let same = |slot: &mut Option<u32>, a: u32| match *slot {
        Some(x) if x != a => false,
        _ => {
            *slot = Some(a);
            true
        }
    };
    for (&a, &d) in actual.iter().zip(declared) {
        nonarray |= d == oid::ANYNONARRAY;
        anyenum |= d == oid::ANYENUM;
        compat_nonarray |= d == oid::ANYCOMPATIBLENONARRAY;
        // An unknown input matches any polymorphic parameter.
        if a == oid::UNKNOWN && is_polymorphic(d) {
            continue;
        }
        let consistent = match d {
            oid::ANYELEMENT | oid::ANYNONARRAY | oid::ANYENUM => same(&mut elem, a),
            oid::ANYARRAY => same(&mut array, a),
            oid::ANYRANGE => same(&mut range, a),
            oid::ANYMULTIRANGE => same(&mut multirange, a),
            oid::ANYCOMPATIBLE | oid::ANYCOMPATIBLENONARRAY => {
                compat.push(a);
                true
            }
            oid::ANYCOMPATIBLEARRAY => match t.element_of(a) {
                Some(e) => {
                    compat.push(e);
                    true
                }
                None => false,
            },
            // anycompatiblerange / anycompatiblemultirange: not modelled.
            d if is_polymorphic(d) => false,
            _ => true,
        };
        if !consistent {
            return false;
        }
    }
    if let Some(arr) = array {
        if arr == oid::ANYARRAY {
            return true;
        }
        let Some(e) = t.element_of(arr) else {
            return false;
        };
        if !same(&mut elem, e) {
            return false;
        }
    }
    if let Some(m) = multirange {
        let Some(r) = t.multirange_range(m) else {
            return false;
        };
        if !same(&mut range, r) {
            return false;
        }
    }
    if let Some(r) = range {
        let Some(sub) = t.range_subtype(r) else {
            return false;
        };
        if !same(&mut elem, sub) {
            return false;
        }
    }
    if nonarray && elem.is_some_and(|e| t.is_array(e) && t.category(e) == 'A') {
        return false;
    }
    if anyenum && !elem.is_some_and(|e| t.is_enum(e)) {
        return false;
    }
    if !compat.is_empty() {
        let Ok(c) = common_type(t, &compat, "anycompatible") else {
            return false;
        };
        if !compat.iter().all(|&x| can_cast(t, x, c, Ctx::Implicit)) {
            return false;
        }
        if compat_nonarray && t.is_array(c) && t.category(c) == 'A' {
            return false;
        }
    }
    true
}

/// `enforce_generic_type_consistency`: the declared argument types with polymorphic ones
/// replaced by actual types, and the (resolved) return type.
pub fn resolve_polymorphic(
    t: &Types,
    actual: &[u32],
    declared: &[u32],
    ret: Option<u32>,
) -> Res<(Vec<u32>, Option<u32>)> {
    if actual
        .iter()
        .zip(declared)
        .any(|(&a, &d)| a == oid::ANYARRAY && d == oid::ANYARRAY)
    {
        return anyarray_input(declared, ret);
    }
    let mut elem: Option<u32> = None;
    let mut range: Option<u32> = None;
    let mut multirange: Option<u32> = None;
    let mut compat: Vec<u32> = Vec::new();
    let mut any_elem_family = false;
    let mut any_compat_family = false;
    let mismatch = || {
        Fail::Error(
            "arguments declared polymorphic are not all alike".into(),
            None,
        )
    };
    let agree = |slot: &mut Option<u32>, a: u32| -> Res<()> {
        match *slot {
            Some(x) if x != a => Err(mismatch()),
            _ => {
                *slot = Some(a);
                Ok(())
            }
        }
    };
    for (&a, &d) in actual.iter().zip(declared) {
        match d {
            oid::ANYELEMENT | oid::ANYNONARRAY | oid::ANYENUM => {
                any_elem_family = true;
                if a != oid::UNKNOWN {
                    agree(&mut elem, a)?;
                }
            }
            oid::ANYARRAY => {
                any_elem_family = true;
                if a != oid::UNKNOWN {
                    agree(&mut elem, t.element_of(a).ok_or_else(mismatch)?)?;
                }
            }
            oid::ANYRANGE => {
                any_elem_family = true;
                if a != oid::UNKNOWN {
                    agree(&mut range, a)?;
                    agree(&mut elem, t.range_subtype(a).ok_or_else(mismatch)?)?;
                }
            }
            oid::ANYMULTIRANGE => {
                any_elem_family = true;
                if a != oid::UNKNOWN {
                    agree(&mut multirange, a)?;
                    let r = t.multirange_range(a).ok_or_else(mismatch)?;
                    agree(&mut range, r)?;
                    agree(&mut elem, t.range_subtype(r).ok_or_else(mismatch)?)?;
                }
            }
            oid::ANYCOMPATIBLE | oid::ANYCOMPATIBLENONARRAY => {
                any_compat_family = true;
                if a != oid::UNKNOWN {
                    compat.push(a);
                }
            }
            oid::ANYCOMPATIBLEARRAY => {
                any_compat_family = true;
                if a != oid::UNKNOWN {
                    compat.push(t.element_of(a).ok_or_else(mismatch)?);
                }
            }
            d if is_polymorphic(d) => {
                return unsupported(format!(
                    "a function or operator with {} arguments",
                    t.display(d)
                ));
            }
            _ => {}
        }
    }
    let ret_poly = ret.is_some_and(is_polymorphic);
    if ret.is_some_and(|r| matches!(r, oid::ANYCOMPATIBLERANGE | oid::ANYCOMPATIBLEMULTIRANGE)) {
        return unsupported("a function returning a polymorphic range type");
    }
    // A range result needs a range (or multirange) input: PostgreSQL finds no range type
    // from an element type.
    if ret == Some(oid::ANYRANGE) && range.is_none() {
        return unsupported("a function returning anyrange without a range argument");
    }
    if ret == Some(oid::ANYMULTIRANGE) && multirange.is_none() {
        multirange = range.and_then(|r| t.range_multirange(r));
        if multirange.is_none() {
            return unsupported("a function returning anymultirange without a range argument");
        }
    }
    let ret_elem_family = ret_poly
        && matches!(
            ret,
            Some(
                oid::ANYELEMENT
                    | oid::ANYNONARRAY
                    | oid::ANYENUM
                    | oid::ANYARRAY
                    | oid::ANYRANGE
                    | oid::ANYMULTIRANGE
            )
        );
    let ret_compat_family = ret_poly && !ret_elem_family;
    if (any_elem_family || ret_elem_family) && elem.is_none() {
        if !any_elem_family || ret_elem_family {
            return error("could not determine polymorphic type because input has type unknown");
        }
        // Only unknown inputs and a non-polymorphic result: PostgreSQL resolves them as text.
        elem = Some(oid::TEXT);
    }
    if let Some(e) = elem {
        if declared.contains(&oid::ANYNONARRAY) && t.is_array(e) && t.category(e) == 'A' {
            return Err(mismatch());
        }
        if declared.contains(&oid::ANYENUM) && !t.is_enum(e) {
            return Err(mismatch());
        }
    }
    let common = if any_compat_family || ret_compat_family {
        if compat.is_empty() {
            return error(
                "could not determine polymorphic type anycompatible because input has type unknown",
            );
        }
        let c = common_type(t, &compat, "anycompatible")?;
        if !compat.iter().all(|&x| can_cast(t, x, c, Ctx::Implicit)) {
            return Err(mismatch());
        }
        Some(c)
    } else {
        None
    };
    let map = |d: u32| -> Res<u32> {
        Ok(match d {
            oid::ANYELEMENT | oid::ANYNONARRAY | oid::ANYENUM => elem.ok_or_else(mismatch)?,
            oid::ANYARRAY => t
                .array_of(elem.ok_or_else(mismatch)?)
                .ok_or_else(mismatch)?,
            // An unknown input in a range position stays unresolved unless another argument
            // fixes the range type.
            oid::ANYRANGE => match range {
                Some(r) => r,
                None => {
                    return unsupported("an unknown-type argument declared anyrange");
                }
            },
            oid::ANYMULTIRANGE => match multirange {
                Some(m) => m,
                None => {
                    return unsupported("an unknown-type argument declared anymultirange");
                }
            },
            oid::ANYCOMPATIBLE | oid::ANYCOMPATIBLENONARRAY => common.ok_or_else(mismatch)?,
            oid::ANYCOMPATIBLEARRAY => t
                .array_of(common.ok_or_else(mismatch)?)
                .ok_or_else(mismatch)?,
            other => other,
        })
    };
    let args = declared.iter().map(|&d| map(d)).collect::<Res<Vec<_>>>()?;
    let ret = ret.map(map).transpose()?;
    Ok((args, ret))
}

/// An `anyarray` value (`pg_stats.most_common_vals`, whose element type is not known) for an
/// `anyarray` parameter: PostgreSQL allows it iff no other argument is of the anyelement
/// family and the result needs no element type; the argument and an `anyarray` result stay
/// `anyarray` (`array_length`, `array_to_string`, `trim_array`, `array_agg`).
fn anyarray_input(declared: &[u32], ret: Option<u32>) -> Res<(Vec<u32>, Option<u32>)> {
    let family = |d: u32| {
        matches!(
            d,
            oid::ANYELEMENT
                | oid::ANYNONARRAY
                | oid::ANYENUM
                | oid::ANYARRAY
                | oid::ANYRANGE
                | oid::ANYMULTIRANGE
        )
    };
    if declared.iter().filter(|&&d| family(d)).count() != 1
        || ret.is_some_and(|r| r != oid::ANYARRAY && family(r))
    {
        return error("cannot determine element type of \"anyarray\" argument");
    }
    if declared
        .iter()
        .chain(ret.iter())
        .any(|&d| is_polymorphic(d) && !family(d))
    {
        return unsupported("an anyarray value with anycompatible arguments");
    }
    Ok((declared.to_vec(), ret))
}

/// `select_common_type` (UNION, CASE, COALESCE, ARRAY[...], VALUES, GREATEST/LEAST).
pub fn common_type(t: &Types, inputs: &[u32], context: &str) -> Res<u32> {
    let Some(&first) = inputs.first() else {
        return Ok(oid::TEXT);
    };
    if inputs.iter().all(|&x| x == first) {
        return Ok(if first == oid::UNKNOWN {
            oid::TEXT
        } else {
            first
        });
    }
    let mut ptype = first;
    let mut pcat = t.category(ptype);
    let mut ppref = t.preferred(ptype);
    for &n in &inputs[1..] {
        if n == oid::UNKNOWN || n == ptype {
            continue;
        }
        let ncat = t.category(n);
        if ptype == oid::UNKNOWN {
            ptype = n;
            pcat = ncat;
            ppref = t.preferred(n);
        } else if ncat != pcat {
            return error(format!(
                "{context} types {} and {} cannot be matched",
                t.display(ptype),
                t.display(n)
            ));
        } else if !ppref
            && can_cast(t, ptype, n, Ctx::Implicit)
            && !can_cast(t, n, ptype, Ctx::Implicit)
        {
            ptype = n;
            pcat = ncat;
            ppref = t.preferred(n);
        }
    }
    if ptype == oid::UNKNOWN {
        ptype = oid::TEXT;
    }
    for &n in inputs {
        if !can_cast(t, n, ptype, Ctx::Implicit) {
            return error(format!(
                "{context} could not convert type {} to {}",
                t.display(n),
                t.display(ptype)
            ));
        }
    }
    Ok(ptype)
}

fn keep_best<'c>(
    cands: Vec<&'c (usize, Vec<u32>)>,
    score: &dyn Fn(&[u32]) -> usize,
) -> Vec<&'c (usize, Vec<u32>)> {
    let best = cands.iter().map(|c| score(&c.1)).max().unwrap_or(0);
    cands.into_iter().filter(|c| score(&c.1) == best).collect()
}

/// `func_select_candidate` after `func_match_argtypes`: the index of the one candidate, or
/// `None` when ambiguous.
fn select_candidate(t: &Types, inputs: &[u32], cands: &[(usize, Vec<u32>)]) -> Option<usize> {
    let mut cands: Vec<&(usize, Vec<u32>)> = cands.iter().collect();
    let nargs = inputs.len();
    // Most exact matches.
    cands = keep_best(cands, &|args| {
        (0..nargs)
            .filter(|&i| inputs[i] != oid::UNKNOWN && inputs[i] == args[i])
            .count()
    });
    if cands.len() == 1 {
        return Some(cands[0].0);
    }
    // Exact or preferred-type matches at the positions needing coercion.
    cands = keep_best(cands, &|args| {
        (0..nargs)
            .filter(|&i| {
                inputs[i] != oid::UNKNOWN
                    && (inputs[i] == args[i]
                        || (t.preferred(args[i]) && t.category(args[i]) == t.category(inputs[i])))
            })
            .count()
    });
    if cands.len() == 1 {
        return Some(cands[0].0);
    }
    let unknowns: Vec<usize> = (0..nargs).filter(|&i| inputs[i] == oid::UNKNOWN).collect();
    if unknowns.is_empty() {
        return None;
    }
    // Categories for the unknown inputs.
    let mut resolved = true;
    let mut slots = Vec::new();
    for &i in &unknowns {
        let mut cat: Option<char> = None;
        let mut has_pref = false;
        let mut conflict = false;
        for c in &cands {
            let ct = c.1[i];
            let ccat = t.category(ct);
            let cpref = t.preferred(ct);
            match cat {
                None => {
                    cat = Some(ccat);
                    has_pref = cpref;
                }
                Some(s) if s == ccat => has_pref |= cpref,
                Some(_) => {
                    if ccat == 'S' {
                        cat = Some(ccat);
                        has_pref = cpref;
                    } else {
                        conflict = true;
                    }
                }
            }
        }
        if conflict && cat != Some('S') {
            resolved = false;
            break;
        }
        slots.push((i, cat.unwrap_or('X'), has_pref));
    }
    if resolved {
        let survivors: Vec<&(usize, Vec<u32>)> = cands
            .iter()
            .copied()
            .filter(|c| {
                slots.iter().all(|&(i, cat, pref)| {
                    t.category(c.1[i]) == cat && (!pref || t.preferred(c.1[i]))
                })
            })
            .collect();
        if survivors.len() == 1 {
            return Some(survivors[0].0);
        }
        if !survivors.is_empty() {
            cands = survivors;
        }
    }
    // Last gasp: unknowns take the (single) known type.
    if unknowns.len() < nargs {
        let known: Vec<u32> = inputs
            .iter()
            .copied()
            .filter(|&x| x != oid::UNKNOWN)
            .collect();
        if known.iter().all(|&k| k == known[0]) {
            let k = known[0];
            let all_known = vec![k; nargs];
            let matching: Vec<_> = cands
                .iter()
                .filter(|c| can_coerce_all(t, &all_known, &c.1))
                .collect();
            if matching.len() == 1 {
                return Some(matching[0].0);
            }
        }
    }
    None
}

/// Picks among candidates `(caller's index, declared argument types)`: exact match first,
/// then the implicit-coercion candidates and `func_select_candidate`.
pub enum Pick {
    One(usize),
    None,
    Ambiguous,
}

pub fn pick(t: &Types, inputs: &[u32], cands: &[(usize, Vec<u32>)]) -> Pick {
    if let Some(c) = cands.iter().find(|c| c.1 == inputs) {
        return Pick::One(c.0);
    }
    let matching: Vec<(usize, Vec<u32>)> = cands
        .iter()
        .filter(|c| c.1.len() == inputs.len() && can_coerce_all(t, inputs, &c.1))
        .cloned()
        .collect();
    match matching.len() {
        0 => Pick::None,
        1 => Pick::One(matching[0].0),
        _ => match select_candidate(t, inputs, &matching) {
            Some(i) => Pick::One(i),
            None => Pick::Ambiguous,
        },
    }
}

/// A resolved operator.
pub struct ResolvedOp {
    /// The implementing function (`oprcode`).
    pub code: u32,
    pub args: Vec<u32>,
    pub result: u32,
}

/// `oper()` / `left_oper()`: resolves `name` for `left` (None: prefix) and `right`, among the
/// builtins and the operators of installed extensions on the search path (in path order, so
/// an exact match is the first schema's).
pub fn operator(t: &Types, name: &str, left: Option<u32>, right: u32) -> Res<ResolvedOp> {
    // The schema's own operators of this name are candidates too; they are not modeled.
    if t.schema_operators.contains(name) {
        return unsupported(format!(
            "operator {name} (the schema defines an operator of that name)"
        ));
    }
    let all = t.operators_named(name);
    let finish = |op: &crate::builtins::BuiltinOperator| -> Res<ResolvedOp> {
        let declared: Vec<u32> = op.left.into_iter().chain([op.right]).collect();
        let actual: Vec<u32> = left.into_iter().chain([right]).collect();
        let (args, ret) =
            if declared.iter().any(|&d| is_polymorphic(d)) || is_polymorphic(op.result) {
                resolve_polymorphic(t, &actual, &declared, Some(op.result))?
            } else {
                (declared, Some(op.result))
            };
        Ok(ResolvedOp {
            code: op.code,
            args,
            result: ret.unwrap_or(op.result),
        })
    };
    // binary_oper_exact: an unknown side takes the other side's type.
    let (l, r) = match left {
        Some(l) if l == oid::UNKNOWN && right != oid::UNKNOWN => (Some(right), right),
        Some(l) if right == oid::UNKNOWN && l != oid::UNKNOWN => (Some(l), l),
        other => (other, right),
    };
    if let Some(op) = all.iter().find(|o| o.left == l && o.right == r) {
        return finish(op);
    }
    let inputs: Vec<u32> = left.into_iter().chain([right]).collect();
    let cands: Vec<(usize, Vec<u32>)> = all
        .iter()
        .enumerate()
        .filter(|(_, o)| o.left.is_some() == left.is_some())
        .map(|(i, o)| (i, o.left.into_iter().chain([o.right]).collect()))
        .collect();
    let shown = match left {
        Some(l) => format!("{} {name} {}", t.display(l), t.display(right)),
        None => format!("{name} {}", t.display(right)),
    };
    match pick(t, &inputs, &cands) {
        Pick::One(i) => finish(all[i]),
        Pick::None => {
            // With no operator of this name in the schema, the candidates are exactly the
            // builtins' and the known extensions'; unless a cast the schema defines, or (for a
            // schema-defined operand type) an extension squill has no data for, adds one.
            let schema_typed = left
                .into_iter()
                .chain([right])
                .any(|x| x >= 0x4000_0000 && !t.is_enum(x));
            if t.schema_casts || (schema_typed && t.unknown_extensions) {
                return unsupported(format!("operator {name} on a schema-defined type"));
            }
            Err(Fail::Error(
                format!("operator does not exist: {shown}"),
                Some(match left {
                    Some(_) => "No operator matches the given name and argument types. You might need to add explicit type casts.",
                    None => "No operator matches the given name and argument type. You might need to add an explicit type cast.",
                }.into()),
            ))
        }
        Pick::Ambiguous => Err(Fail::Error(
            format!("operator is not unique: {shown}"),
            Some("Could not choose a best candidate operator. You might need to add explicit type casts.".into()),
        )),
    }
}
