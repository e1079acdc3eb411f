//! Statistics attributes (`IPVS_STATS_ATTR_*`), nested in `IPVS_SVC_ATTR_STATS`,
//! `IPVS_SVC_ATTR_STATS64`, `IPVS_DEST_ATTR_STATS` and `IPVS_DEST_ATTR_STATS64`.
//!
//! Kernel facts: the 32-bit set (`*_STATS`) has `u32` counters except the byte
//! counters, which are `u64`; the 64-bit set (`*_STATS64`, since Linux 4.0) has
//! `u64` everywhere. 64-bit values are put with `nla_put_u64_64bit`, which may
//! insert a zero-length `IPVS_STATS_ATTR_PAD` attribute for alignment.

use netlink_packet_core::DecodeError;

use super::nla::attributes;
#[cfg(test)]
use super::nla::AttrWriter;
use crate::model::Stats;

/// A counter value with the width it has on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    U32(u32),
    U64(u64),
}

impl Counter {
    /// The value, widened.
    pub fn value(self) -> u64 {
        match self {
            Counter::U32(v) => u64::from(v),
            Counter::U64(v) => v,
        }
    }

    /// Reads a 4- or 8-byte counter; any other length is an error.
    fn parse(value: &[u8]) -> Result<Self, DecodeError> {
        match *value {
            [a, b, c, d] => Ok(Counter::U32(u32::from_ne_bytes([a, b, c, d]))),
            [a, b, c, d, e, f, g, h] => {
                Ok(Counter::U64(u64::from_ne_bytes([a, b, c, d, e, f, g, h])))
            }
            _ => Err(DecodeError::from(format!(
                "counter attribute has {} bytes, expected 4 or 8",
                value.len()
            ))),
        }
    }
}

/// The counters of one stats nest, indexed by `IPVS_STATS_ATTR_*` less one
/// (`CONNS` .. `OUTBPS`); absent ones are `None`. Padding and unknown
/// attributes are not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatsNest(pub [Option<Counter>; 10]);

const NAMES: [&str; 10] = [
    "CONNS", "INPKTS", "OUTPKTS", "INBYTES", "OUTBYTES", "CPS", "INPPS", "OUTPPS", "INBPS",
    "OUTBPS",
];

impl StatsNest {
    #[cfg(test)] // Replies are built only by tests; the client decodes them.
    fn values(stats: &Stats) -> [u64; 10] {
        [
            stats.conns,
            stats.inpkts,
            stats.outpkts,
            stats.inbytes,
            stats.outbytes,
            stats.cps,
            stats.inpps,
            stats.outpps,
            stats.inbps,
            stats.outbps,
        ]
    }

    #[cfg(test)] // Replies are built only by tests; the client decodes them.
    /// The 32-bit nest as the kernel fills it: byte counters 64-bit, the
    /// others truncated to 32 bits.
    pub fn stats32(stats: &Stats) -> Self {
        let mut nest = StatsNest::default();
        for (i, v) in Self::values(stats).into_iter().enumerate() {
            nest.0[i] = Some(if i == 3 || i == 4 {
                Counter::U64(v)
            } else {
                Counter::U32(v as u32)
            });
        }
        nest
    }

    #[cfg(test)] // Replies are built only by tests; the client decodes them.
    /// The 64-bit nest.
    pub fn stats64(stats: &Stats) -> Self {
        StatsNest(Self::values(stats).map(|v| Some(Counter::U64(v))))
    }

    /// Reads a nest's value: every counter checked, padding and unknown
    /// attributes skipped.
    pub fn parse(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut nest = StatsNest::default();
        for nla in attributes(buf) {
            let nla = nla?;
            if let Some(slot) = usize::from(nla.kind())
                .checked_sub(1)
                .and_then(|i| nest.0.get_mut(i))
            {
                *slot = Some(Counter::parse(nla.value())?);
            }
        }
        Ok(nest)
    }

    #[cfg(test)] // Replies are built only by tests; the client decodes them.
    /// The present counters, in order, as a nest's value.
    pub fn to_bytes(self) -> Vec<u8> {
        let mut out = Vec::new();
        self.emit(&mut AttrWriter::new(&mut out));
        out
    }

    #[cfg(test)] // Replies are built only by tests; the client decodes them.
    fn emit(&self, w: &mut AttrWriter<'_>) {
        for (kind, counter) in (1u16..).zip(self.0) {
            match counter {
                Some(Counter::U32(v)) => w.u32(kind, v),
                Some(Counter::U64(v)) => w.fixed(kind, v.to_ne_bytes()),
                None => {}
            }
        }
    }

    /// The stats, or which counter is missing (libipvs requires all ten).
    pub fn to_stats(self) -> Result<Stats, DecodeError> {
        let mut v = [0u64; 10];
        for (i, counter) in self.0.iter().enumerate() {
            v[i] = counter.map(Counter::value).ok_or_else(|| {
                DecodeError::from(format!("stats lack IPVS_STATS_ATTR_{}", NAMES[i]))
            })?;
        }
        let [conns, inpkts, outpkts, inbytes, outbytes, cps, inpps, outpps, inbps, outbps] = v;
        Ok(Stats {
            conns,
            inpkts,
            outpkts,
            inbytes,
            outbytes,
            cps,
            inpps,
            outpps,
            inbps,
            outbps,
        })
    }
}

/// Whether an entry's counters are decoded, or skipped (left zero, their
/// nests not read) for listings that show none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counters {
    Decode,
    Skip,
}

/// The counters of a service or destination from the values of its stats
/// nests: the 64-bit ones when present, else the 32-bit ones, else all zero
/// (as libipvs does); both nests must be well-formed. With
/// [`Counters::Skip`], zero without reading either.
pub(crate) fn pick_stats(
    stats64: Option<&[u8]>,
    stats32: Option<&[u8]>,
    counters: Counters,
) -> Result<Stats, DecodeError> {
    if counters == Counters::Skip {
        return Ok(Stats::default());
    }
    let stats64 = stats64.map(StatsNest::parse).transpose()?;
    let stats32 = stats32.map(StatsNest::parse).transpose()?;
    match stats64.or(stats32) {
        Some(nest) => nest.to_stats(),
        None => Ok(Stats::default()),
    }
}
