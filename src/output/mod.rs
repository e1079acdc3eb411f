//! Listings, save format, connection tables and JSON, as ipvsadm 1.31 prints them.
