//! Typed ids: a user's id and a company's id are different types, so a function taking both
//! cannot be called with them swapped. Each is the record key as a string on the wire
//! (serde-transparent), so the JSON does not change.

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($( $(#[$doc:meta])* $name:ident; )*) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
            #[serde(transparent)]
            pub struct $name(String);

            impl $name {
                pub fn new(key: impl Into<String>) -> Self {
                    Self(key.into())
                }

                pub fn as_str(&self) -> &str {
                    &self.0
                }

                pub fn into_string(self) -> String {
                    self.0
                }
            }

            impl std::fmt::Display for $name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(&self.0)
                }
            }

            // An id reads as its key wherever a `&str` is asked for (the engine's lookups);
            // the other way round takes an explicit `new` or `from`.
            impl std::ops::Deref for $name {
                type Target = str;

                fn deref(&self) -> &str {
                    &self.0
                }
            }

            impl PartialEq<$name> for String {
                fn eq(&self, other: &$name) -> bool {
                    *self == other.0
                }
            }

            impl AsRef<str> for $name {
                fn as_ref(&self) -> &str {
                    &self.0
                }
            }

            impl std::borrow::Borrow<str> for $name {
                fn borrow(&self) -> &str {
                    &self.0
                }
            }

            impl From<String> for $name {
                fn from(s: String) -> Self {
                    Self(s)
                }
            }

            impl From<&str> for $name {
                fn from(s: &str) -> Self {
                    Self(s.to_string())
                }
            }

            impl PartialEq<str> for $name {
                fn eq(&self, other: &str) -> bool {
                    self.0 == other
                }
            }

            impl PartialEq<&str> for $name {
                fn eq(&self, other: &&str) -> bool {
                    self.0 == *other
                }
            }

            impl PartialEq<String> for $name {
                fn eq(&self, other: &String) -> bool {
                    &self.0 == other
                }
            }
        )*
    };
}

ids! {
    /// A person's account (`user` table).
    UserId;
    /// A company (`company` table).
    CompanyId;
    /// A role (`role` table).
    RoleId;
    /// A profile (`profile` table).
    ProfileId;
    /// A group (`user_group` table).
    GroupId;
    /// A department (`department` table).
    DepartmentId;
    /// A license type (`license` table).
    LicenseId;
    /// A CRM record (`crm_record` table).
    RecordId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_its_key_on_the_wire() {
        let id = UserId::new("rita_rep");
        assert_eq!(serde_json::to_value(&id).ok(), Some(serde_json::json!("rita_rep")));
        assert_eq!(serde_json::from_value::<UserId>(serde_json::json!("rita_rep")).ok(), Some(id.clone()));
        assert!(id == "rita_rep");
    }
}
