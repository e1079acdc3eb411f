//! A generic-netlink socket to the kernel's IPVS family.
