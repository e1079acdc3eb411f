//! IPVS generic-netlink messages and attributes: types, encoding and decoding. No I/O.
