//! The every-type round trip (issue 11), run by `codegen/tests/every_type.rs` with the database
//! URL (and `pgvector` when the extension is installed) as arguments: inserts rows holding a
//! value of every type squill maps through the generated parameters, reads them back through
//! the generated rows and asserts equality, with postgres and with tokio-postgres, and the
//! date/time types once per time crate. Written by `gen_round_trip.py`.
//!
//! The `x_` (NOT NULL), `n_` (nullable) and `a_` (array) columns of each type get three rows:
//! values everywhere (arrays with a NULL element); NULLs and empty arrays; and NULL arrays.

// Each db_ module holds every query; the program calls only part of each.
#![allow(dead_code)]

mod db_chrono;
mod db_jiff;
mod db_pgvector;
mod db_time;
mod every;
mod every_rows;
mod times_chrono;
mod times_jiff;
mod times_time;

// Rows read arrays as Vec<Option<T>> (PostgreSQL arrays may hold NULLs); parameters written
// into an array column take &[Option<T>], and the first row's arrays hold a NULL element.
// These borrow an expected row's arrays as arguments.

fn strs(v: &Option<Vec<Option<String>>>) -> Option<Vec<Option<&str>>> {
    v.as_ref().map(|v| v.iter().map(|x| x.as_deref()).collect())
}

fn bytes(v: &Option<Vec<Option<Vec<u8>>>>) -> Option<Vec<Option<&[u8]>>> {
    v.as_ref().map(|v| v.iter().map(|x| x.as_deref()).collect())
}

fn refs<T>(v: &Option<Vec<Option<T>>>) -> Option<Vec<Option<&T>>> {
    v.as_ref().map(|v| v.iter().map(|x| x.as_ref()).collect())
}

// An array's elements that are not NULL, for a query whose array parameters take none.

fn present<T>(v: &Option<Vec<Option<T>>>) -> Vec<&T> {
    v.iter().flatten().flatten().collect()
}

fn present_vals<T: Clone>(v: &Option<Vec<Option<T>>>) -> Vec<T> {
    v.iter().flatten().flatten().cloned().collect()
}

fn domain_rows() -> Vec<db_chrono::domains::SelectDomainsRow> {
    use db_chrono::domains::SelectDomainsRow;
    use db_chrono::types;
    vec![
        SelectDomainsRow {
            id: 0,
            x_posint: 1,
            n_posint: Some(i32::MAX),
            a_posint: Some(vec![Some(1), None, Some(i32::MAX)]),
            x_pair: types::Pair {
                a: Some(1),
                b: None,
            },
            n_pair: Some(types::Pair {
                a: None,
                b: Some("x".to_string()),
            }),
            a_pair: Some(vec![
                Some(types::Pair {
                    a: Some(1),
                    b: None,
                }),
                None,
                Some(types::Pair {
                    a: None,
                    b: Some("x".to_string()),
                }),
            ]),
            x_nest: types::Nest {
                p: Some(types::Pair {
                    a: Some(1),
                    b: None,
                }),
                ps: Some(vec![
                    Some(types::Pair {
                        a: None,
                        b: Some("y".to_string()),
                    }),
                    None,
                ]),
                tag: Some(3),
                moods: Some(vec![Some(types::Mood::Ok), None]),
            },
            n_nest: Some(types::Nest {
                p: None,
                ps: None,
                tag: None,
                moods: None,
            }),
            a_nest: Some(vec![
                Some(types::Nest {
                    p: Some(types::Pair {
                        a: Some(1),
                        b: None,
                    }),
                    ps: Some(vec![
                        Some(types::Pair {
                            a: None,
                            b: Some("y".to_string()),
                        }),
                        None,
                    ]),
                    tag: Some(3),
                    moods: Some(vec![Some(types::Mood::Ok), None]),
                }),
                None,
                Some(types::Nest {
                    p: None,
                    ps: None,
                    tag: None,
                    moods: None,
                }),
            ]),
        },
        SelectDomainsRow {
            id: 0,
            x_posint: i32::MAX,
            n_posint: None,
            a_posint: Some(vec![]),
            x_pair: types::Pair {
                a: None,
                b: Some("x".to_string()),
            },
            n_pair: None,
            a_pair: Some(vec![]),
            x_nest: types::Nest {
                p: None,
                ps: None,
                tag: None,
                moods: None,
            },
            n_nest: None,
            a_nest: Some(vec![]),
        },
        SelectDomainsRow {
            id: 0,
            x_posint: i32::MAX,
            n_posint: Some(1),
            a_posint: None,
            x_pair: types::Pair {
                a: None,
                b: Some("x".to_string()),
            },
            n_pair: Some(types::Pair {
                a: Some(1),
                b: None,
            }),
            a_pair: None,
            x_nest: types::Nest {
                p: None,
                ps: None,
                tag: None,
                moods: None,
            },
            n_nest: Some(types::Nest {
                p: Some(types::Pair {
                    a: Some(1),
                    b: None,
                }),
                ps: Some(vec![
                    Some(types::Pair {
                        a: None,
                        b: Some("y".to_string()),
                    }),
                    None,
                ]),
                tag: Some(3),
                moods: Some(vec![Some(types::Mood::Ok), None]),
            }),
            a_nest: None,
        },
    ]
}

fn domains_sync(client: &mut postgres::Client) {
    use db_chrono::domains::{SelectDomainsRow, blocking::*};
    for e in domain_rows() {
        let id = insert_domains(
            client,
            e.x_posint.clone(),
            e.n_posint.clone(),
            e.a_posint.as_deref(),
            &e.x_pair,
            e.n_pair.as_ref(),
            refs(&e.a_pair).as_deref(),
            &e.x_nest,
            e.n_nest.as_ref(),
            refs(&e.a_nest).as_deref(),
        )
        .unwrap();
        assert_eq!(
            select_domains(client, id).unwrap(),
            SelectDomainsRow { id, ..e }
        );
    }
}

async fn domains_async(client: &tokio_postgres::Client) {
    use db_chrono::domains::*;
    for e in domain_rows() {
        let id = insert_domains(
            client,
            e.x_posint.clone(),
            e.n_posint.clone(),
            e.a_posint.as_deref(),
            &e.x_pair,
            e.n_pair.as_ref(),
            refs(&e.a_pair).as_deref(),
            &e.x_nest,
            e.n_nest.as_ref(),
            refs(&e.a_nest).as_deref(),
        )
        .await
        .unwrap();
        assert_eq!(
            select_domains(client, id).await.unwrap(),
            SelectDomainsRow { id, ..e }
        );
    }
}

fn vector_rows() -> Vec<db_pgvector::vectors::SelectVectorsRow> {
    use db_pgvector::vectors::SelectVectorsRow;
    use squill::re::pgvector::{HalfVector, SparseVector, Vector};
    let v = |x: &[f32]| Vector::from(x.to_vec());
    vec![
        SelectVectorsRow {
            id: 0,
            x_vector: v(&[1.0, -2.5, 3.0]),
            n_vector: Some(v(&[0.0])),
            a_vector: Some(vec![Some(v(&[1.0])), Some(v(&[2.0, 3.0]))]),
            x_halfvec: HalfVector::from_f32_slice(&[0.5, 1.0, -2.0]),
            n_halfvec: Some(HalfVector::from_f32_slice(&[1.0])),
            a_halfvec: Some(vec![Some(HalfVector::from_f32_slice(&[1.0, 2.0]))]),
            x_sparsevec: SparseVector::from_dense(&[0.0, 2.0, 0.0]),
            n_sparsevec: Some(SparseVector::from_dense(&[1.0, 0.0])),
            a_sparsevec: Some(vec![Some(SparseVector::from_dense(&[0.0, 0.0, 1.0]))]),
        },
        SelectVectorsRow {
            id: 0,
            x_vector: v(&[0.0, 0.0, 0.0]),
            n_vector: None,
            a_vector: Some(vec![]),
            x_halfvec: HalfVector::from_f32_slice(&[0.0, 0.0, 0.0]),
            n_halfvec: None,
            a_halfvec: None,
            x_sparsevec: SparseVector::from_dense(&[0.0, 0.0, 0.0]),
            n_sparsevec: None,
            a_sparsevec: None,
        },
    ]
}

fn pgvector_sync(client: &mut postgres::Client) {
    use db_pgvector::vectors::{SelectVectorsRow, blocking::*};
    for e in vector_rows() {
        let id = insert_vectors(
            client,
            &e.x_vector,
            e.n_vector.as_ref(),
            refs(&e.a_vector).as_deref(),
            &e.x_halfvec,
            e.n_halfvec.as_ref(),
            refs(&e.a_halfvec).as_deref(),
            &e.x_sparsevec,
            e.n_sparsevec.as_ref(),
            refs(&e.a_sparsevec).as_deref(),
        )
        .unwrap();
        assert_eq!(
            select_vectors(client, id).unwrap(),
            SelectVectorsRow { id, ..e }
        );
    }
}

async fn pgvector_async(client: &tokio_postgres::Client) {
    use db_pgvector::vectors::*;
    for e in vector_rows() {
        let id = insert_vectors(
            client,
            &e.x_vector,
            e.n_vector.as_ref(),
            refs(&e.a_vector).as_deref(),
            &e.x_halfvec,
            e.n_halfvec.as_ref(),
            refs(&e.a_halfvec).as_deref(),
            &e.x_sparsevec,
            e.n_sparsevec.as_ref(),
            refs(&e.a_sparsevec).as_deref(),
        )
        .await
        .unwrap();
        assert_eq!(
            select_vectors(client, id).await.unwrap(),
            SelectVectorsRow { id, ..e }
        );
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().expect("the database URL");
    let pgvector = args.next().as_deref() == Some("pgvector");
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    every::run_sync(&mut client);
    domains_sync(&mut client);
    times_chrono::run_sync(&mut client);
    times_time::run_sync(&mut client);
    times_jiff::run_sync(&mut client);
    if pgvector {
        pgvector_sync(&mut client);
    }
    drop(client);
    println!("sync: every type round-tripped");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            every::run_async(&client).await;
            domains_async(&client).await;
            times_chrono::run_async(&client).await;
            times_time::run_async(&client).await;
            times_jiff::run_async(&client).await;
            if pgvector {
                pgvector_async(&client).await;
            }
        });
    println!("async: every type round-tripped");
}
