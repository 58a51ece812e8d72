#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh: checks its SHA256SUMS, loads database.dump into the target
# database (created if missing) and unpacks media.tar.gz into the target media directory.
# The target is the portal's own DATABASE_URL and DJANGO_MEDIA_ROOT (environment or .env) unless given.
# A database with tables or a media directory with files is refused unless --force is given; --force replaces
# every object of the dump and writes the files over the existing ones.
#
# Usage: scripts/restore.sh [--force] [--database URL|NAME] [--media-root DIR] BACKUP_DIRECTORY
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/backup-common.sh"

usage() {
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
}

force=0
database=""
media_root=""
backup=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --force) force=1 ;;
        --database)
            [[ $# -ge 2 ]] || die "--database needs a URL or a name"
            database="$2"
            shift
            ;;
        --database=*) database="${1#*=}" ;;
        --media-root)
            [[ $# -ge 2 ]] || die "--media-root needs a directory"
            media_root="$2"
            shift
            ;;
        --media-root=*) media_root="${1#*=}" ;;
        -h | --help)
            usage
            exit 0
            ;;
        -*) die "unknown option $1 (see --help)" ;;
        *)
            [[ -z "$backup" ]] || die "one backup directory only (see --help)"
            backup="$1"
            ;;
    esac
    shift
done
[[ -n "$backup" ]] || die "which backup? (see --help)"
[[ -d "$backup" ]] || die "$backup is not a directory"
backup="$(cd "$backup" && pwd)"
database="${database:-$(env_or_dotenv DATABASE_URL "postgres://postgres@127.0.0.1:5432/isimedia")}"
media_root="${media_root:-$(env_or_dotenv DJANGO_MEDIA_ROOT "$BASE_DIR/var/media")}"
file_storage="$(env_or_dotenv DJANGO_FILE_STORAGE "")"
pg_target "$database"

# 1. Is the backup whole?
[[ -f "$backup/SHA256SUMS" && -f "$backup/database.dump" ]] || die "$backup is not a backup made by backup.sh"
(cd "$backup" && sha256sum --check --quiet --strict SHA256SUMS) || die "$backup is damaged: checksums differ"

# 2. The database: created if missing, refused if it already holds tables (unless --force).
maintenance="$(pg_uri_for postgres)"
exists="$(psql_value --dbname="$maintenance" --set name="$PG_DBNAME" <<< \
    "select count(*) from pg_database where datname = :'name';")" || die "cannot connect to the server of $PG_SAFE_URI"
if [[ "$exists" == 0 ]]; then
    psql_value --dbname="$maintenance" --set name="$PG_DBNAME" <<< 'create database :"name";' > /dev/null
    echo "Created database $PG_DBNAME." >&2
fi
tables="$(psql_value --dbname="$PG_URI" -c "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
    and n.nspname not like 'pg\_%'")"
clean=()
if [[ "$tables" != 0 ]]; then
    [[ "$force" == 1 ]] || die "database $PG_DBNAME already has $tables tables; restore into a new one, or add --force"
    clean=(--clean --if-exists)
    echo "Replacing the objects of the dump in $PG_DBNAME ($tables tables there now)." >&2
fi

# 3. The media directory: refused if it already holds files (unless --force).
restore_media=1
if [[ ! -f "$backup/media.tar.gz" ]]; then
    restore_media=0
    echo "Note: this backup holds no media archive (files were in an object store); restoring the database only." >&2
elif [[ -n "$file_storage" && "$file_storage" != *FileSystemStorage ]]; then
    restore_media=0
    echo "Note: DJANGO_FILE_STORAGE=$file_storage: unpack media.tar.gz into the bucket yourself." >&2
elif [[ -d "$media_root" && -n "$(find "$media_root" -mindepth 1 -print -quit)" && "$force" != 1 ]]; then
    die "$media_root is not empty; restore into an empty directory, or add --force"
fi

# Nothing is changed before every check above has passed.
pg_restore --dbname="$PG_URI" --no-owner --no-privileges --exit-on-error --single-transaction "${clean[@]}" \
    "$backup/database.dump"
psql_value --dbname="$PG_URI" -c "analyze" > /dev/null
restored_tables="$(psql_value --dbname="$PG_URI" -c "select count(*) from pg_class c join pg_namespace n
    on n.oid = c.relnamespace where c.relkind in ('r', 'p') and n.nspname = 'public'")"
echo "Database $PG_SAFE_URI restored: $restored_tables tables."

if [[ "$restore_media" == 1 ]]; then
    umask 077
    mkdir -p "$media_root"
    tar --extract --gzip --file="$backup/media.tar.gz" --directory="$media_root" --no-same-owner
    files="$(find "$media_root" -type f | wc -l)"
    echo "Media restored into $(cd "$media_root" && pwd): $files files."
fi
echo "Check: DATABASE_URL and DJANGO_MEDIA_ROOT point here, PRIVACY_ENCRYPTION_KEYS holds the key of the backup's time."
