//! Permission flags: takes flag names, gives a small copyable set of the nine
//! flags of seed 000 and `own` (seed 003's `admin`), in their canonical order.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flag {
    Connect,
    Read,
    Write,
    ManageRoles,
    CreateSchema,
    CreateTables,
    ExecuteFunctions,
    DefaultPrivileges,
    MetadataAccess,
    /// Acts as the database's owner: a member of its owner role (seed 003's
    /// `admin` owns the database and its schemas).
    Own,
}

impl Flag {
    pub const ALL: [Flag; 10] = [
        Flag::Connect,
        Flag::Read,
        Flag::Write,
        Flag::ManageRoles,
        Flag::CreateSchema,
        Flag::CreateTables,
        Flag::ExecuteFunctions,
        Flag::DefaultPrivileges,
        Flag::MetadataAccess,
        Flag::Own,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Flag::Connect => "connect",
            Flag::Read => "read",
            Flag::Write => "write",
            Flag::ManageRoles => "manage_roles",
            Flag::CreateSchema => "create_schema",
            Flag::CreateTables => "create_tables",
            Flag::ExecuteFunctions => "execute_functions",
            Flag::DefaultPrivileges => "default_privileges",
            Flag::MetadataAccess => "metadata_access",
            Flag::Own => "own",
        }
    }

    pub fn parse(s: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// A set of flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FlagSet(u16);

impl FlagSet {
    pub fn empty() -> FlagSet {
        FlagSet(0)
    }

    pub fn insert(&mut self, f: Flag) {
        self.0 |= 1 << f as u16;
    }

    pub fn remove(&mut self, f: Flag) {
        self.0 &= !(1 << f as u16);
    }

    pub fn has(self, f: Flag) -> bool {
        self.0 & (1 << f as u16) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn union(self, other: FlagSet) -> FlagSet {
        FlagSet(self.0 | other.0)
    }

    pub fn iter(self) -> impl Iterator<Item = Flag> {
        Flag::ALL.into_iter().filter(move |f| self.has(*f))
    }

    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(Flag::name).collect()
    }
}

impl FromIterator<Flag> for FlagSet {
    fn from_iter<I: IntoIterator<Item = Flag>>(iter: I) -> FlagSet {
        let mut s = FlagSet::empty();
        for f in iter {
            s.insert(f);
        }
        s
    }
}
