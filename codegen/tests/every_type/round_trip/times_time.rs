//! The date/time types with `time_crate = "time"`.

use std::ops::Bound;

use squill::re::time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};
use squill::{Multirange, Range};

use crate::db_time::times::SelectTimesRow;
use crate::refs;

fn rows() -> Vec<SelectTimesRow> {
    vec![
        SelectTimesRow {
            id: 0,
            x_date: Date::from_calendar_date(2024, Month::February, 29).unwrap(),
            n_date: Some(Date::from_calendar_date(-4713, Month::November, 24).unwrap()),
            a_date: Some(vec![
                Some(Date::from_calendar_date(2024, Month::February, 29).unwrap()),
                None,
                Some(Date::from_calendar_date(-4713, Month::November, 24).unwrap()),
            ]),
            x_time: Time::from_hms_micro(23, 59, 59, 999_999).unwrap(),
            n_time: Some(Time::MIDNIGHT),
            a_time: Some(vec![
                Some(Time::from_hms_micro(23, 59, 59, 999_999).unwrap()),
                None,
                Some(Time::MIDNIGHT),
            ]),
            x_timestamp: PrimitiveDateTime::new(
                Date::from_calendar_date(2024, Month::February, 29).unwrap(),
                Time::from_hms_micro(12, 0, 0, 1).unwrap(),
            ),
            n_timestamp: Some(PrimitiveDateTime::new(
                Date::from_calendar_date(-4713, Month::November, 24).unwrap(),
                Time::MIDNIGHT,
            )),
            a_timestamp: Some(vec![
                Some(PrimitiveDateTime::new(
                    Date::from_calendar_date(2024, Month::February, 29).unwrap(),
                    Time::from_hms_micro(12, 0, 0, 1).unwrap(),
                )),
                None,
                Some(PrimitiveDateTime::new(
                    Date::from_calendar_date(-4713, Month::November, 24).unwrap(),
                    Time::MIDNIGHT,
                )),
            ]),
            x_timestamptz: OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_000)
                .unwrap(),
            n_timestamptz: Some(OffsetDateTime::from_unix_timestamp_nanos(-1_000).unwrap()),
            a_timestamptz: Some(vec![
                Some(OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_000).unwrap()),
                None,
                Some(OffsetDateTime::from_unix_timestamp_nanos(-1_000).unwrap()),
            ]),
            x_tsrange: Range::new(
                Bound::Included(PrimitiveDateTime::new(
                    Date::from_calendar_date(2024, Month::February, 29).unwrap(),
                    Time::from_hms_micro(12, 0, 0, 1).unwrap(),
                )),
                Bound::Unbounded,
            ),
            n_tsrange: Some(Range::new(
                Bound::Excluded(PrimitiveDateTime::new(
                    Date::from_calendar_date(-4713, Month::November, 24).unwrap(),
                    Time::MIDNIGHT,
                )),
                Bound::Included(PrimitiveDateTime::new(
                    Date::from_calendar_date(2024, Month::February, 29).unwrap(),
                    Time::from_hms_micro(12, 0, 0, 1).unwrap(),
                )),
            )),
            a_tsrange: Some(vec![
                Some(Range::new(
                    Bound::Included(PrimitiveDateTime::new(
                        Date::from_calendar_date(2024, Month::February, 29).unwrap(),
                        Time::from_hms_micro(12, 0, 0, 1).unwrap(),
                    )),
                    Bound::Unbounded,
                )),
                None,
                Some(Range::new(
                    Bound::Excluded(PrimitiveDateTime::new(
                        Date::from_calendar_date(-4713, Month::November, 24).unwrap(),
                        Time::MIDNIGHT,
                    )),
                    Bound::Included(PrimitiveDateTime::new(
                        Date::from_calendar_date(2024, Month::February, 29).unwrap(),
                        Time::from_hms_micro(12, 0, 0, 1).unwrap(),
                    )),
                )),
            ]),
            x_tstzrange: Range::new(
                Bound::Included(
                    OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_000).unwrap(),
                ),
                Bound::Unbounded,
            ),
            n_tstzrange: Some(Range::new(
                Bound::Excluded(OffsetDateTime::from_unix_timestamp_nanos(-1_000).unwrap()),
                Bound::Included(
                    OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_000).unwrap(),
                ),
            )),
            a_tstzrange: Some(vec![
                Some(Range::new(
                    Bound::Included(
                        OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_000)
                            .unwrap(),
                    ),
                    Bound::Unbounded,
                )),
                None,
                Some(Range::new(
                    Bound::Excluded(OffsetDateTime::from_unix_timestamp_nanos(-1_000).unwrap()),
                    Bound::Included(
                        OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_000)
                            .unwrap(),
                    ),
                )),
            ]),
            x_daterange: Range::new(
                Bound::Included(Date::from_calendar_date(2024, Month::February, 29).unwrap()),
                Bound::Unbounded,
            ),
            n_daterange: Some(Range::new(
                Bound::Included(Date::from_calendar_date(-4713, Month::November, 24).unwrap()),
                Bound::Excluded(Date::from_calendar_date(2024, Month::February, 29).unwrap()),
            )),
            a_daterange: Some(vec![
                Some(Range::new(
                    Bound::Included(Date::from_calendar_date(2024, Month::February, 29).unwrap()),
                    Bound::Unbounded,
                )),
                None,
                Some(Range::new(
                    Bound::Included(Date::from_calendar_date(-4713, Month::November, 24).unwrap()),
                    Bound::Excluded(Date::from_calendar_date(2024, Month::February, 29).unwrap()),
                )),
            ]),
            x_tsmultirange: Multirange(vec![]),
            n_tsmultirange: Some(Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(PrimitiveDateTime::new(
                        Date::from_calendar_date(-4713, Month::November, 24).unwrap(),
                        Time::MIDNIGHT,
                    )),
                ),
                Range::new(
                    Bound::Included(PrimitiveDateTime::new(
                        Date::from_calendar_date(2024, Month::February, 29).unwrap(),
                        Time::from_hms_micro(12, 0, 0, 1).unwrap(),
                    )),
                    Bound::Unbounded,
                ),
            ])),
            a_tsmultirange: Some(vec![
                Some(Multirange(vec![])),
                None,
                Some(Multirange(vec![
                    Range::new(
                        Bound::Unbounded,
                        Bound::Excluded(PrimitiveDateTime::new(
                            Date::from_calendar_date(-4713, Month::November, 24).unwrap(),
                            Time::MIDNIGHT,
                        )),
                    ),
                    Range::new(
                        Bound::Included(PrimitiveDateTime::new(
                            Date::from_calendar_date(2024, Month::February, 29).unwrap(),
                            Time::from_hms_micro(12, 0, 0, 1).unwrap(),
                        )),
                        Bound::Unbounded,
                    ),
                ])),
            ]),
            x_tstzmultirange: Multirange(vec![]),
            n_tstzmultirange: Some(Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(OffsetDateTime::from_unix_timestamp_nanos(-1_000).unwrap()),
                ),
                Range::new(
                    Bound::Included(
                        OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_000)
                            .unwrap(),
                    ),
                    Bound::Unbounded,
                ),
            ])),
            a_tstzmultirange: Some(vec![
                Some(Multirange(vec![])),
                None,
                Some(Multirange(vec![
                    Range::new(
                        Bound::Unbounded,
                        Bound::Excluded(OffsetDateTime::from_unix_timestamp_nanos(-1_000).unwrap()),
                    ),
                    Range::new(
                        Bound::Included(
                            OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_000)
                                .unwrap(),
                        ),
                        Bound::Unbounded,
                    ),
                ])),
            ]),
            x_datemultirange: Multirange(vec![]),
            n_datemultirange: Some(Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(Date::from_calendar_date(-4713, Month::November, 24).unwrap()),
                ),
                Range::new(
                    Bound::Included(Date::from_calendar_date(2024, Month::February, 29).unwrap()),
                    Bound::Unbounded,
                ),
            ])),
            a_datemultirange: Some(vec![
                Some(Multirange(vec![])),
                None,
                Some(Multirange(vec![
                    Range::new(
                        Bound::Unbounded,
                        Bound::Excluded(
                            Date::from_calendar_date(-4713, Month::November, 24).unwrap(),
                        ),
                    ),
                    Range::new(
                        Bound::Included(
                            Date::from_calendar_date(2024, Month::February, 29).unwrap(),
                        ),
                        Bound::Unbounded,
                    ),
                ])),
            ]),
        },
        SelectTimesRow {
            id: 0,
            x_date: Date::from_calendar_date(-4713, Month::November, 24).unwrap(),
            n_date: None,
            a_date: Some(vec![]),
            x_time: Time::MIDNIGHT,
            n_time: None,
            a_time: Some(vec![]),
            x_timestamp: PrimitiveDateTime::new(
                Date::from_calendar_date(-4713, Month::November, 24).unwrap(),
                Time::MIDNIGHT,
            ),
            n_timestamp: None,
            a_timestamp: Some(vec![]),
            x_timestamptz: OffsetDateTime::from_unix_timestamp_nanos(-1_000).unwrap(),
            n_timestamptz: None,
            a_timestamptz: Some(vec![]),
            x_tsrange: Range::new(
                Bound::Excluded(PrimitiveDateTime::new(
                    Date::from_calendar_date(-4713, Month::November, 24).unwrap(),
                    Time::MIDNIGHT,
                )),
                Bound::Included(PrimitiveDateTime::new(
                    Date::from_calendar_date(2024, Month::February, 29).unwrap(),
                    Time::from_hms_micro(12, 0, 0, 1).unwrap(),
                )),
            ),
            n_tsrange: None,
            a_tsrange: Some(vec![]),
            x_tstzrange: Range::new(
                Bound::Excluded(OffsetDateTime::from_unix_timestamp_nanos(-1_000).unwrap()),
                Bound::Included(
                    OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_000).unwrap(),
                ),
            ),
            n_tstzrange: None,
            a_tstzrange: Some(vec![]),
            x_daterange: Range::new(
                Bound::Included(Date::from_calendar_date(-4713, Month::November, 24).unwrap()),
                Bound::Excluded(Date::from_calendar_date(2024, Month::February, 29).unwrap()),
            ),
            n_daterange: None,
            a_daterange: Some(vec![]),
            x_tsmultirange: Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(PrimitiveDateTime::new(
                        Date::from_calendar_date(-4713, Month::November, 24).unwrap(),
                        Time::MIDNIGHT,
                    )),
                ),
                Range::new(
                    Bound::Included(PrimitiveDateTime::new(
                        Date::from_calendar_date(2024, Month::February, 29).unwrap(),
                        Time::from_hms_micro(12, 0, 0, 1).unwrap(),
                    )),
                    Bound::Unbounded,
                ),
            ]),
            n_tsmultirange: None,
            a_tsmultirange: Some(vec![]),
            x_tstzmultirange: Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(OffsetDateTime::from_unix_timestamp_nanos(-1_000).unwrap()),
                ),
                Range::new(
                    Bound::Included(
                        OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_000)
                            .unwrap(),
                    ),
                    Bound::Unbounded,
                ),
            ]),
            n_tstzmultirange: None,
            a_tstzmultirange: Some(vec![]),
            x_datemultirange: Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(Date::from_calendar_date(-4713, Month::November, 24).unwrap()),
                ),
                Range::new(
                    Bound::Included(Date::from_calendar_date(2024, Month::February, 29).unwrap()),
                    Bound::Unbounded,
                ),
            ]),
            n_datemultirange: None,
            a_datemultirange: Some(vec![]),
        },
        SelectTimesRow {
            id: 0,
            x_date: Date::from_calendar_date(-4713, Month::November, 24).unwrap(),
            n_date: Some(Date::from_calendar_date(2024, Month::February, 29).unwrap()),
            a_date: None,
            x_time: Time::MIDNIGHT,
            n_time: Some(Time::from_hms_micro(23, 59, 59, 999_999).unwrap()),
            a_time: None,
            x_timestamp: PrimitiveDateTime::new(
                Date::from_calendar_date(-4713, Month::November, 24).unwrap(),
                Time::MIDNIGHT,
            ),
            n_timestamp: Some(PrimitiveDateTime::new(
                Date::from_calendar_date(2024, Month::February, 29).unwrap(),
                Time::from_hms_micro(12, 0, 0, 1).unwrap(),
            )),
            a_timestamp: None,
            x_timestamptz: OffsetDateTime::from_unix_timestamp_nanos(-1_000).unwrap(),
            n_timestamptz: Some(
                OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_000).unwrap(),
            ),
            a_timestamptz: None,
            x_tsrange: Range::new(
                Bound::Excluded(PrimitiveDateTime::new(
                    Date::from_calendar_date(-4713, Month::November, 24).unwrap(),
                    Time::MIDNIGHT,
                )),
                Bound::Included(PrimitiveDateTime::new(
                    Date::from_calendar_date(2024, Month::February, 29).unwrap(),
                    Time::from_hms_micro(12, 0, 0, 1).unwrap(),
                )),
            ),
            n_tsrange: Some(Range::new(
                Bound::Included(PrimitiveDateTime::new(
                    Date::from_calendar_date(2024, Month::February, 29).unwrap(),
                    Time::from_hms_micro(12, 0, 0, 1).unwrap(),
                )),
                Bound::Unbounded,
            )),
            a_tsrange: None,
            x_tstzrange: Range::new(
                Bound::Excluded(OffsetDateTime::from_unix_timestamp_nanos(-1_000).unwrap()),
                Bound::Included(
                    OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_000).unwrap(),
                ),
            ),
            n_tstzrange: Some(Range::new(
                Bound::Included(
                    OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_000).unwrap(),
                ),
                Bound::Unbounded,
            )),
            a_tstzrange: None,
            x_daterange: Range::new(
                Bound::Included(Date::from_calendar_date(-4713, Month::November, 24).unwrap()),
                Bound::Excluded(Date::from_calendar_date(2024, Month::February, 29).unwrap()),
            ),
            n_daterange: Some(Range::new(
                Bound::Included(Date::from_calendar_date(2024, Month::February, 29).unwrap()),
                Bound::Unbounded,
            )),
            a_daterange: None,
            x_tsmultirange: Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(PrimitiveDateTime::new(
                        Date::from_calendar_date(-4713, Month::November, 24).unwrap(),
                        Time::MIDNIGHT,
                    )),
                ),
                Range::new(
                    Bound::Included(PrimitiveDateTime::new(
                        Date::from_calendar_date(2024, Month::February, 29).unwrap(),
                        Time::from_hms_micro(12, 0, 0, 1).unwrap(),
                    )),
                    Bound::Unbounded,
                ),
            ]),
            n_tsmultirange: Some(Multirange(vec![])),
            a_tsmultirange: None,
            x_tstzmultirange: Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(OffsetDateTime::from_unix_timestamp_nanos(-1_000).unwrap()),
                ),
                Range::new(
                    Bound::Included(
                        OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_000)
                            .unwrap(),
                    ),
                    Bound::Unbounded,
                ),
            ]),
            n_tstzmultirange: Some(Multirange(vec![])),
            a_tstzmultirange: None,
            x_datemultirange: Multirange(vec![
                Range::new(
                    Bound::Unbounded,
                    Bound::Excluded(Date::from_calendar_date(-4713, Month::November, 24).unwrap()),
                ),
                Range::new(
                    Bound::Included(Date::from_calendar_date(2024, Month::February, 29).unwrap()),
                    Bound::Unbounded,
                ),
            ]),
            n_datemultirange: Some(Multirange(vec![])),
            a_datemultirange: None,
        },
    ]
}

pub fn run_sync(client: &mut postgres::Client) {
    use crate::db_time::times::blocking::*;
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
    use crate::db_time::times::*;
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
