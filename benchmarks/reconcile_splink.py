"""The reference for benchmarks/reconcile.py: the same two files linked by splink on DuckDB.

Run with a Python that has splink (requirements/bench-splink.txt); laodong itself does not
depend on it:

    python benchmarks/reconcile_splink.py REGISTER.csv EXTRACT.csv OUT.csv

Splink gets what laodong's engine gets: names folded (no case, no diacritics), given and
family name, birth date (or year only), sex, village, household and the ID; blocking rules
equal to ours (the ID; birth year, given name and day-and-month in either order, or family
name; birth year, day-and-month and family name; household and birth year; village, birth
year and family name); u by random sampling, m by expectation maximisation
on two blocks; then one partner per person (each pair's mutual best above the threshold).
OUT.csv has the same columns as `laodong reconcile`.
"""

from __future__ import annotations

import sys
import tempfile
import time

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

PREPARE = """
create table {name} as
with raw as (
    select * from read_csv('{path}', all_varchar = true, header = true)
), folded as (
    select
        cast("STT" as bigint) as unique_id,
        replace(strip_accents(lower(trim("Họ và tên"))), 'đ', 'd') as name_f,
        try_strptime("Ngày sinh", '%d/%m/%Y')::date as dob,
        coalesce(year(try_strptime("Ngày sinh", '%d/%m/%Y')), try_cast("Ngày sinh" as int))
            as birth_year,
        case lower("Giới tính") when 'nam' then '1' when 'nữ' then '2' else null end as sex,
        nullif(trim("Số định danh cá nhân"), '') as pid,
        nullif(lower(trim("Thôn")), '') as village,
        nullif(trim("Mã hộ"), '') as household
    from raw
)
select
    *,
    string_split(name_f, ' ')[1] as family,
    string_split(name_f, ' ')[-1] as given,
    case when dob is null then null
         else least(day(dob), month(dob)) * 100 + greatest(day(dob), month(dob)) end as dm
from folded
"""


def main(left_path: str, right_path: str, out_path: str) -> None:
    started = time.monotonic()
    # Spilled data goes to the system's temporary folder, not the working directory.
    connection = duckdb.connect(config={"temp_directory": tempfile.gettempdir()})
    connection.execute(PREPARE.format(name="register", path=left_path))
    connection.execute(PREPARE.format(name="extract", path=right_path))
    db_api = DuckDBAPI(connection)
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.ExactMatch("pid"),
            cl.NameComparison("name_f"),
            cl.DateOfBirthComparison("dob", input_is_string=False),
            cl.ExactMatch("birth_year"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("village"),
            cl.ExactMatch("household"),
        ],
        # The blocks laodong's engine compares within (linkage/engine.py, _Index).
        blocking_rules_to_generate_predictions=[
            block_on("pid"),
            block_on("birth_year", "given", "dm"),
            block_on("birth_year", "given", "family"),
            block_on("birth_year", "dm", "family"),
            block_on("household", "birth_year"),
            block_on("village", "birth_year", "family"),
        ],
        retain_matching_columns=False,
    )
    left = db_api.register("register")
    right = db_api.register("extract")
    linker = Linker([left, right], settings, log_level=30)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("birth_year", "given")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("household"))
    predictions = linker.inference.predict(threshold_match_probability=0.9)
    relation = predictions.as_duckdbpyrelation()
    connection.register("predictions", relation)
    # One partner per person: pairs that are each other's best.
    connection.execute(
        f"""
        copy (
            with ranked as (
                select unique_id_l, unique_id_r, match_probability,
                    row_number() over (partition by unique_id_l
                        order by match_probability desc) as rank_l,
                    row_number() over (partition by unique_id_r
                        order by match_probability desc) as rank_r
                from predictions
            )
            select unique_id_l as left_row, unique_id_r as right_row, 'match' as outcome,
                round(match_probability, 3) as score, '' as reasons
            from ranked where rank_l = 1 and rank_r = 1
        ) to '{out_path}' (header, delimiter ',')
        """
    )
    print(f"splink: {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main(*sys.argv[1:4])
