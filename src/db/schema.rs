//! Table definitions shared by both backends. Kept by hand (see diesel.toml): column
//! types are the portable subset that diesel's `MultiBackend` supports.

diesel::table! {
    accounts (id) {
        id -> BigInt,
        account_number -> Text,
        is_default_account -> Bool,
        company_name -> Text,
        phone_number -> Nullable<Text>,
        address1 -> Nullable<Text>,
        address2 -> Nullable<Text>,
        city -> Nullable<Text>,
        state -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        country -> Text,
        language -> Text,
        timezone -> Nullable<Text>,
        currency -> Text,
        is_active -> Bool,
        name -> Text,
        description -> Text,
        version -> Text,
        lock_version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Kept by triggers: how many accounts of a country are active and inactive.
    account_country_totals (id) {
        id -> BigInt,
        country -> Text,
        is_active -> Bool,
        accounts -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Kept by triggers: how many accounts are active and inactive.
    account_totals (id) {
        id -> BigInt,
        is_active -> Bool,
        accounts -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tags (id) {
        id -> BigInt,
        name -> Text,
        name_folded -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tagged_items (id) {
        id -> BigInt,
        tag_id -> BigInt,
        /// The tag as this object spells it.
        spelling -> Text,
        object_type -> Text,
        object_id -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    annotations (id) {
        id -> BigInt,
        object_type -> Text,
        object_id -> BigInt,
        position -> Integer,
        key -> Text,
        value -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        email -> Text,
        first_name -> Text,
        last_name -> Text,
        password_hash -> Text,
        /// `username` with its case folded by the program: lookups and uniqueness.
        username_folded -> Text,
        is_active -> Bool,
        is_staff -> Bool,
        is_superuser -> Bool,
        last_login -> Nullable<Timestamp>,
        date_joined -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    user_profiles (id) {
        id -> BigInt,
        user_id -> BigInt,
        account_id -> BigInt,
        name -> Text,
        description -> Text,
        version -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    account_contacts (id) {
        id -> BigInt,
        account_id -> BigInt,
        first_name -> Text,
        last_name -> Text,
        email -> Text,
        /// `email` with its case folded by the program: lookups and uniqueness.
        email_folded -> Text,
        phone -> Nullable<Text>,
        is_primary -> Bool,
        welcomed -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    charges (id) {
        id -> BigInt,
        user_profile_id -> BigInt,
        provider -> Text,
        charge_type -> Text,
        prompt_tokens -> BigInt,
        completion_tokens -> BigInt,
        total_tokens -> BigInt,
        model -> Text,
        reference -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    daily_billing_records (id) {
        id -> BigInt,
        account_id -> BigInt,
        user_id -> BigInt,
        provider -> Text,
        charge_type -> Text,
        date -> Date,
        prompt_tokens -> BigInt,
        completion_tokens -> BigInt,
        total_tokens -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_entries (id) {
        id -> BigInt,
        actor_id -> Nullable<BigInt>,
        actor_username -> Text,
        action -> Text,
        object_type -> Text,
        object_id -> BigInt,
        account_id -> Nullable<BigInt>,
        summary -> Text,
        changes -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        account_number -> Nullable<Text>,
        batch_id -> Nullable<Text>,
        snapshot -> Nullable<Text>,
    }
}

diesel::table! {
    email_outbox (id) {
        id -> BigInt,
        to_address -> Text,
        subject -> Text,
        body -> Text,
        contact_id -> Nullable<BigInt>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    app_settings (id) {
        id -> BigInt,
        key -> Text,
        value -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(tagged_items -> tags (tag_id));
diesel::joinable!(user_profiles -> users (user_id));
diesel::joinable!(user_profiles -> accounts (account_id));
diesel::joinable!(account_contacts -> accounts (account_id));
diesel::joinable!(charges -> user_profiles (user_profile_id));
diesel::joinable!(daily_billing_records -> accounts (account_id));
diesel::joinable!(daily_billing_records -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    tags,
    tagged_items,
    annotations,
    users,
    user_profiles,
    account_contacts,
    charges,
    daily_billing_records,
    audit_entries,
    email_outbox,
    app_settings,
    login_failures,
    form_tokens,
    sessions,
);

diesel::table! {
    /// A signed-in session: valid while this row exists (see the sessions migration).
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        last_seen_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));

diesel::table! {
    login_failures (id) {
        id -> BigInt,
        key -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    form_tokens (id) {
        id -> BigInt,
        token -> Text,
        account_id -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// The ledger's sums per day, provider and charge type over all accounts, kept by
    /// triggers on `daily_billing_records` (see the billing day totals migration).
    billing_day_totals (id) {
        id -> BigInt,
        date -> Date,
        provider -> Text,
        charge_type -> Text,
        records -> BigInt,
        prompt_tokens -> BigInt,
        completion_tokens -> BigInt,
        total_tokens -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}
