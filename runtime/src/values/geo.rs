//! The geometric types (`point`, `line`, `lseg`, `box`, `path`, `polygon`, `circle`) as small
//! structs in PostgreSQL's binary format (geo_ops.c `*_send`/`*_recv`: float8s, big-endian).
//! Own structs for all seven, rather than `geo-types` for three: `geo-types` has no line,
//! segment or circle, and its `LineString` cannot say whether a `path` is open or closed.

use std::error::Error as StdError;

use postgres_types::private::BytesMut;
use postgres_types::{FromSql, IsNull, ToSql, Type, accepts, to_sql_checked};

use super::BoxError;

/// A `point`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// A `line`: the infinite line `a·x + b·y + c = 0` (`a` and `b` not both zero).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Line {
    pub a: f64,
    pub b: f64,
    pub c: f64,
}

/// An `lseg`: a line segment.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Lseg {
    pub start: Point,
    pub end: Point,
}

/// A `box` (named so as not to shadow `std::boxed::Box`). The server stores the upper-right corner first and swaps coordinates to keep it
/// so: a box read back always has `high.x >= low.x` and `high.y >= low.y`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PgBox {
    pub high: Point,
    pub low: Point,
}

/// A `path`: open (`[...]`) or closed (`(...)`), with at least one point.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Path {
    pub closed: bool,
    pub points: Vec<Point>,
}

/// A `polygon`, with at least one point.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Polygon {
    pub points: Vec<Point>,
}

/// A `circle` (radius not negative).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Circle {
    pub center: Point,
    pub radius: f64,
}

fn read_f64(raw: &[u8]) -> Result<(f64, &[u8]), BoxError> {
    let (bytes, rest) = super::take::<8>(raw)?;
    Ok((f64::from_be_bytes(bytes), rest))
}

fn read_point(raw: &[u8]) -> Result<(Point, &[u8]), BoxError> {
    let (x, rest) = read_f64(raw)?;
    let (y, rest) = read_f64(rest)?;
    Ok((Point { x, y }, rest))
}

fn write_point(p: Point, out: &mut BytesMut) {
    out.extend_from_slice(&p.x.to_be_bytes());
    out.extend_from_slice(&p.y.to_be_bytes());
}

/// `npts` points (a count, then the points), as path and polygon carry them.
fn read_points(raw: &[u8]) -> Result<(Vec<Point>, &[u8]), BoxError> {
    let (count, mut rest) = super::take::<4>(raw)?;
    let count = usize::try_from(i32::from_be_bytes(count))?;
    let mut points = Vec::with_capacity(count.min(rest.len() / 16));
    for _ in 0..count {
        let (p, after) = read_point(rest)?;
        points.push(p);
        rest = after;
    }
    Ok((points, rest))
}

fn write_points(what: &str, points: &[Point], out: &mut BytesMut) -> Result<(), BoxError> {
    if points.is_empty() {
        return Err(format!("a {what} needs at least one point").into());
    }
    out.extend_from_slice(&i32::try_from(points.len())?.to_be_bytes());
    for &p in points {
        write_point(p, out);
    }
    Ok(())
}

fn finish<T>(what: &str, value: T, rest: &[u8]) -> Result<T, BoxError> {
    if rest.is_empty() {
        Ok(value)
    } else {
        Err(format!("trailing bytes after a {what}").into())
    }
}

/// `FromSql` and `ToSql` for one geometric type, from its reader and writer.
macro_rules! geometric {
    ($name:ident, $pg:ident, $what:literal, |$raw:ident| $read:expr, |$value:ident, $out:ident| $write:expr) => {
        impl<'a> FromSql<'a> for $name {
            fn from_sql(_: &Type, $raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
                let (value, rest) = $read;
                finish($what, value, rest)
            }

            accepts!($pg);
        }

        impl ToSql for $name {
            fn to_sql(
                &self,
                _: &Type,
                $out: &mut BytesMut,
            ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
                let $value = self;
                $write;
                Ok(IsNull::No)
            }

            accepts!($pg);
            to_sql_checked!();
        }
    };
}

geometric!(Point, POINT, "point", |raw| read_point(raw)?, |p, out| {
    write_point(*p, out)
});

geometric!(
    Line,
    LINE,
    "line",
    |raw| {
        let (a, rest) = read_f64(raw)?;
        let (b, rest) = read_f64(rest)?;
        let (c, rest) = read_f64(rest)?;
        (Line { a, b, c }, rest)
    },
    |l, out| {
        if l.a == 0.0 && l.b == 0.0 {
            return Err("invalid line specification: A and B cannot both be zero".into());
        }
        for v in [l.a, l.b, l.c] {
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
);

geometric!(
    Lseg,
    LSEG,
    "lseg",
    |raw| {
        let (start, rest) = read_point(raw)?;
        let (end, rest) = read_point(rest)?;
        (Lseg { start, end }, rest)
    },
    |s, out| {
        write_point(s.start, out);
        write_point(s.end, out);
    }
);

geometric!(
    PgBox,
    BOX,
    "box",
    |raw| {
        let (high, rest) = read_point(raw)?;
        let (low, rest) = read_point(rest)?;
        (PgBox { high, low }, rest)
    },
    |b, out| {
        write_point(b.high, out);
        write_point(b.low, out);
    }
);

geometric!(
    Path,
    PATH,
    "path",
    |raw| {
        let ([closed], rest) = super::take::<1>(raw)?;
        let (points, rest) = read_points(rest)?;
        (
            Path {
                closed: closed != 0,
                points,
            },
            rest,
        )
    },
    |p, out| {
        out.extend_from_slice(&[u8::from(p.closed)]);
        write_points("path", &p.points, out)?;
    }
);

geometric!(
    Polygon,
    POLYGON,
    "polygon",
    |raw| {
        let (points, rest) = read_points(raw)?;
        (Polygon { points }, rest)
    },
    |p, out| write_points("polygon", &p.points, out)?
);

geometric!(
    Circle,
    CIRCLE,
    "circle",
    |raw| {
        let (center, rest) = read_point(raw)?;
        let (radius, rest) = read_f64(rest)?;
        (Circle { center, radius }, rest)
    },
    |c, out| {
        // circle_recv's own check, so the error names the value rather than the protocol.
        if c.radius < 0.0 {
            return Err("invalid radius in external \"circle\" value".into());
        }
        write_point(c.center, out);
        out.extend_from_slice(&c.radius.to_be_bytes());
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_round_trips_and_rejects_short_input() {
        let path = Path {
            closed: true,
            points: vec![Point { x: 1.0, y: 2.0 }, Point { x: -3.5, y: 0.0 }],
        };
        let mut out = BytesMut::new();
        path.to_sql(&Type::PATH, &mut out).unwrap();
        assert_eq!(Path::from_sql(&Type::PATH, &out).unwrap(), path);
        assert!(Path::from_sql(&Type::PATH, &out[..out.len() - 1]).is_err());
        let circle = Circle {
            center: Point { x: 0.0, y: 1.0 },
            radius: 2.0,
        };
        out.clear();
        circle.to_sql(&Type::CIRCLE, &mut out).unwrap();
        assert_eq!(Circle::from_sql(&Type::CIRCLE, &out).unwrap(), circle);
        let bad = Circle {
            radius: -1.0,
            ..circle
        };
        assert!(bad.to_sql(&Type::CIRCLE, &mut out).is_err());
        assert!(Polygon::default().to_sql(&Type::POLYGON, &mut out).is_err());
        assert!(Line::default().to_sql(&Type::LINE, &mut out).is_err());
    }
}
