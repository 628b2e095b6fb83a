//! The date/time types with `time_crate = "jiff"`.

use std::ops::Bound;

use squill::re::jiff::{Timestamp, civil};
use squill::{Multirange, Range};

use crate::db_jiff::times::SelectTimesRow;
use crate::refs;

fn rows() -> Vec<SelectTimesRow> {
    vec![
        SelectTimesRow {
            id: 0,
            x_date: civil::date(2024, 2, 29),
            n_date: Some(civil::date(-4713, 11, 24)),
            a_date: Some(vec![
                Some(civil::date(2024, 2, 29)),
                None,
                Some(civil::date(-4713, 11, 24)),
            ]),
            x_time: civil::time(23, 59, 59, 999_999_000),
            n_time: Some(civil::Time::midnight()),
            a_time: Some(vec![
                Some(civil::time(23, 59, 59, 999_999_000)),
                None,
                Some(civil::Time::midnight()),
            ]),
            x_timestamp: civil::date(2024, 2, 29).at(12, 0, 0, 1_000),
            n_timestamp: Some(civil::date(-4713, 11, 24).at(0, 0, 0, 0)),
            a_timestamp: Some(vec![
                Some(civil::date(2024, 2, 29).at(12, 0, 0, 1_000)),
                None,
                Some(civil::date(-4713, 11, 24).at(0, 0, 0, 0)),
            ]),
            x_timestamptz: Timestamp::from_microsecond(1_700_000_000_123_456).unwrap(),
            n_timestamptz: Some(Timestamp::from_microsecond(-1).unwrap()),
            a_timestamptz: Some(vec![
                Some(Timestamp::from_microsecond(1_700_000_000_123_456).unwrap()),
                None,
                Some(Timestamp::from_microsecond(-1).unwrap()),
            ]),
            x_tsrange: Range::new(
                Bound::Included(civil::date(2024, 2, 29).at(12, 0, 0, 1_000)),
                Bound::Unbounded,
            ),
            n_tsrange: Some(Range::new(
                Bound::Excluded(civil::date(-4713, 11, 24).at(0, 0, 0, 0)),
                Bound::Included(civil::date(2024, 2, 29).at(12, 0, 0, 1_000)),
            )),
            a_tsrange: Some(vec![
                Some(Range::new(
                    Bound::Included(civil::date(2024, 2, 29).at(12, 0, 0, 1_000)),
                    Bound::Unbounded,
                )),
                None,
                Some(Range::new(
                    Bound::Excluded(civil::date(-4713, 11, 24).at(0, 0, 0, 0)),
                    Bound::Included(civil::date(2024, 2, 29).at(12, 0, 0, 1_000)),
                )),
            ]),
            x_tstzrange: Range::new(
                Bound::Included(Timestamp::from_microsecond(1_700_000_000_123_456).unwrap()),
                Bound::Unbounded,
            ),
            n_tstzrange: Some(Range::new(
                Bound::Excluded(Timestamp::from_microsecond(-1).unwrap()),
                Bound::Included(Timestamp::from_microsecond(1_700_000_000_123_456).unwrap()),
            )),
            a_tstzrange: Some(vec![
                Some(Range::new(
                    Bound::Included(Timestamp::from_microsecond(1_700_000_000_123_456).unwrap()),
                    Bound::Unbounded,
                )),
                None,
                Some(Range::new(
                    Bound::Excluded(Timestamp::from_microsecond(-1).unwrap()),
                    Bound::Included(Timestamp::from_microsecond(1_700_000_000_123_456).unwrap()),
                )),
            ]),
            x_daterange: Range::new(Bound::Included(civil::date(2024, 2, 29)), Bound::Unbounded),
            n_daterange: Some(Range::new(
                Bound::Included(civil::date(-4713, 11, 24)),
                Bound::Excluded(civil::date(2024, 2, 29)),
            )),
            a_daterange: Some(vec![
                Some(Range::new(
                    Bound::Included(civil::date(2024, 2, 29)),
                    Bound::Unbounded,
                )),
                None,
                Some(Range::new(
                    Bound::Included(civil::date(-4713, 11, 24)),
                    Bound::Excluded(civil::date(2024, 2, 29)),
                )),
            ]),
            x_tsmultirange: Multirange(vec![]),
            n_tsmultirange: Some(Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(civil::date(-4713, 11, 24).at(0, 0, 0, 0)),
                ),
                Range::new(
                    Bound::Included(civil::date(2024, 2, 29).at(12, 0, 0, 1_000)),
                    Bound::Unbounded,
                ),
            ])),
            a_tsmultirange: Some(vec![
                Some(Multirange(vec![])),
                None,
                Some(Multirange(vec![
                    Range::new(
                        Bound::Unbounded,
                        Bound::Excluded(civil::date(-4713, 11, 24).at(0, 0, 0, 0)),
                    ),
                    Range::new(
                        Bound::Included(civil::date(2024, 2, 29).at(12, 0, 0, 1_000)),
                        Bound::Unbounded,
                    ),
                ])),
            ]),
            x_tstzmultirange: Multirange(vec![]),
            n_tstzmultirange: Some(Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(Timestamp::from_microsecond(-1).unwrap()),
                ),
                Range::new(
                    Bound::Included(Timestamp::from_microsecond(1_700_000_000_123_456).unwrap()),
                    Bound::Unbounded,
                ),
            ])),
            a_tstzmultirange: Some(vec![
                Some(Multirange(vec![])),
                None,
                Some(Multirange(vec![
                    Range::new(
                        Bound::Unbounded,
                        Bound::Excluded(Timestamp::from_microsecond(-1).unwrap()),
                    ),
                    Range::new(
                        Bound::Included(
                            Timestamp::from_microsecond(1_700_000_000_123_456).unwrap(),
                        ),
                        Bound::Unbounded,
                    ),
                ])),
            ]),
            x_datemultirange: Multirange(vec![]),
            n_datemultirange: Some(Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(civil::date(-4713, 11, 24)),
                ),
                Range::new(Bound::Included(civil::date(2024, 2, 29)), Bound::Unbounded),
            ])),
            a_datemultirange: Some(vec![
                Some(Multirange(vec![])),
                None,
                Some(Multirange(vec![
                    Range::new(
                        Bound::Unbounded,
                        Bound::Excluded(civil::date(-4713, 11, 24)),
                    ),
                    Range::new(Bound::Included(civil::date(2024, 2, 29)), Bound::Unbounded),
                ])),
            ]),
        },
        SelectTimesRow {
            id: 0,
            x_date: civil::date(-4713, 11, 24),
            n_date: None,
            a_date: Some(vec![]),
            x_time: civil::Time::midnight(),
            n_time: None,
            a_time: Some(vec![]),
            x_timestamp: civil::date(-4713, 11, 24).at(0, 0, 0, 0),
            n_timestamp: None,
            a_timestamp: Some(vec![]),
            x_timestamptz: Timestamp::from_microsecond(-1).unwrap(),
            n_timestamptz: None,
            a_timestamptz: Some(vec![]),
            x_tsrange: Range::new(
                Bound::Excluded(civil::date(-4713, 11, 24).at(0, 0, 0, 0)),
                Bound::Included(civil::date(2024, 2, 29).at(12, 0, 0, 1_000)),
            ),
            n_tsrange: None,
            a_tsrange: Some(vec![]),
            x_tstzrange: Range::new(
                Bound::Excluded(Timestamp::from_microsecond(-1).unwrap()),
                Bound::Included(Timestamp::from_microsecond(1_700_000_000_123_456).unwrap()),
            ),
            n_tstzrange: None,
            a_tstzrange: Some(vec![]),
            x_daterange: Range::new(
                Bound::Included(civil::date(-4713, 11, 24)),
                Bound::Excluded(civil::date(2024, 2, 29)),
            ),
            n_daterange: None,
            a_daterange: Some(vec![]),
            x_tsmultirange: Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(civil::date(-4713, 11, 24).at(0, 0, 0, 0)),
                ),
                Range::new(
                    Bound::Included(civil::date(2024, 2, 29).at(12, 0, 0, 1_000)),
                    Bound::Unbounded,
                ),
            ]),
            n_tsmultirange: None,
            a_tsmultirange: Some(vec![]),
            x_tstzmultirange: Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(Timestamp::from_microsecond(-1).unwrap()),
                ),
                Range::new(
                    Bound::Included(Timestamp::from_microsecond(1_700_000_000_123_456).unwrap()),
                    Bound::Unbounded,
                ),
            ]),
            n_tstzmultirange: None,
            a_tstzmultirange: Some(vec![]),
            x_datemultirange: Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(civil::date(-4713, 11, 24)),
                ),
                Range::new(Bound::Included(civil::date(2024, 2, 29)), Bound::Unbounded),
            ]),
            n_datemultirange: None,
            a_datemultirange: Some(vec![]),
        },
        SelectTimesRow {
            id: 0,
            x_date: civil::date(-4713, 11, 24),
            n_date: Some(civil::date(2024, 2, 29)),
            a_date: None,
            x_time: civil::Time::midnight(),
            n_time: Some(civil::time(23, 59, 59, 999_999_000)),
            a_time: None,
            x_timestamp: civil::date(-4713, 11, 24).at(0, 0, 0, 0),
            n_timestamp: Some(civil::date(2024, 2, 29).at(12, 0, 0, 1_000)),
            a_timestamp: None,
            x_timestamptz: Timestamp::from_microsecond(-1).unwrap(),
            n_timestamptz: Some(Timestamp::from_microsecond(1_700_000_000_123_456).unwrap()),
            a_timestamptz: None,
            x_tsrange: Range::new(
                Bound::Excluded(civil::date(-4713, 11, 24).at(0, 0, 0, 0)),
                Bound::Included(civil::date(2024, 2, 29).at(12, 0, 0, 1_000)),
            ),
            n_tsrange: Some(Range::new(
                Bound::Included(civil::date(2024, 2, 29).at(12, 0, 0, 1_000)),
                Bound::Unbounded,
            )),
            a_tsrange: None,
            x_tstzrange: Range::new(
                Bound::Excluded(Timestamp::from_microsecond(-1).unwrap()),
                Bound::Included(Timestamp::from_microsecond(1_700_000_000_123_456).unwrap()),
            ),
            n_tstzrange: Some(Range::new(
                Bound::Included(Timestamp::from_microsecond(1_700_000_000_123_456).unwrap()),
                Bound::Unbounded,
            )),
            a_tstzrange: None,
            x_daterange: Range::new(
                Bound::Included(civil::date(-4713, 11, 24)),
                Bound::Excluded(civil::date(2024, 2, 29)),
            ),
            n_daterange: Some(Range::new(
                Bound::Included(civil::date(2024, 2, 29)),
                Bound::Unbounded,
            )),
            a_daterange: None,
            x_tsmultirange: Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(civil::date(-4713, 11, 24).at(0, 0, 0, 0)),
                ),
                Range::new(
                    Bound::Included(civil::date(2024, 2, 29).at(12, 0, 0, 1_000)),
                    Bound::Unbounded,
                ),
            ]),
            n_tsmultirange: Some(Multirange(vec![])),
            a_tsmultirange: None,
            x_tstzmultirange: Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(Timestamp::from_microsecond(-1).unwrap()),
                ),
                Range::new(
                    Bound::Included(Timestamp::from_microsecond(1_700_000_000_123_456).unwrap()),
                    Bound::Unbounded,
                ),
            ]),
            n_tstzmultirange: Some(Multirange(vec![])),
            a_tstzmultirange: None,
            x_datemultirange: Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(civil::date(-4713, 11, 24)),
                ),
                Range::new(Bound::Included(civil::date(2024, 2, 29)), Bound::Unbounded),
            ]),
            n_datemultirange: Some(Multirange(vec![])),
            a_datemultirange: None,
        },
    ]
}

pub fn run_sync(client: &mut postgres::Client) {
    use crate::db_jiff::times::blocking::*;
    for e in rows() {
        let id = insert_times(
            client,
            e.x_date.clone(),
            e.n_date.clone(),
            e.a_date.as_deref(),
            e.x_time.clone(),
            e.n_time.clone(),
            e.a_time.as_deref(),
            e.x_timestamp.clone(),
            e.n_timestamp.clone(),
            e.a_timestamp.as_deref(),
            e.x_timestamptz.clone(),
            e.n_timestamptz.clone(),
            e.a_timestamptz.as_deref(),
            &e.x_tsrange,
            e.n_tsrange.as_ref(),
            refs(&e.a_tsrange).as_deref(),
            &e.x_tstzrange,
            e.n_tstzrange.as_ref(),
            refs(&e.a_tstzrange).as_deref(),
            &e.x_daterange,
            e.n_daterange.as_ref(),
            refs(&e.a_daterange).as_deref(),
            &e.x_tsmultirange,
            e.n_tsmultirange.as_ref(),
            refs(&e.a_tsmultirange).as_deref(),
            &e.x_tstzmultirange,
            e.n_tstzmultirange.as_ref(),
            refs(&e.a_tstzmultirange).as_deref(),
            &e.x_datemultirange,
            e.n_datemultirange.as_ref(),
            refs(&e.a_datemultirange).as_deref(),
        )
        .unwrap();
        assert_eq!(
            select_times(client, id).unwrap(),
            SelectTimesRow { id, ..e }
        );
    }
}

pub async fn run_async(client: &tokio_postgres::Client) {
    use crate::db_jiff::times::*;
    for e in rows() {
        let id = insert_times(
            client,
            e.x_date.clone(),
            e.n_date.clone(),
            e.a_date.as_deref(),
            e.x_time.clone(),
            e.n_time.clone(),
            e.a_time.as_deref(),
            e.x_timestamp.clone(),
            e.n_timestamp.clone(),
            e.a_timestamp.as_deref(),
            e.x_timestamptz.clone(),
            e.n_timestamptz.clone(),
            e.a_timestamptz.as_deref(),
            &e.x_tsrange,
            e.n_tsrange.as_ref(),
            refs(&e.a_tsrange).as_deref(),
            &e.x_tstzrange,
            e.n_tstzrange.as_ref(),
            refs(&e.a_tstzrange).as_deref(),
            &e.x_daterange,
            e.n_daterange.as_ref(),
            refs(&e.a_daterange).as_deref(),
            &e.x_tsmultirange,
            e.n_tsmultirange.as_ref(),
            refs(&e.a_tsmultirange).as_deref(),
            &e.x_tstzmultirange,
            e.n_tstzmultirange.as_ref(),
            refs(&e.a_tstzmultirange).as_deref(),
            &e.x_datemultirange,
            e.n_datemultirange.as_ref(),
            refs(&e.a_datemultirange).as_deref(),
        )
        .await
        .unwrap();
        assert_eq!(
            select_times(client, id).await.unwrap(),
            SelectTimesRow { id, ..e }
        );
    }
}
