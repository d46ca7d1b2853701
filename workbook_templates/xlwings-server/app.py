"""A minimal xlwings Server for the cin-xl buttons (FastAPI).

    pip install cin-xl fastapi uvicorn
    XLWINGS_LICENSE_KEY=noncommercial uvicorn app:app --port 8000

The xlwings Office.js add-in calls POST /jobs/validate (or /jobs/clear) with the workbook as JSON
and applies the actions returned. Run it on your own network: census data are personal data.
"""

from fastapi import Body, FastAPI, HTTPException

from cin_xl.server import run_job

app = FastAPI(title="cin-xl")


@app.post("/jobs/{name}")
def job(name: str, data: dict = Body(...)) -> dict:
    try:
        return run_job(name, data)
    except KeyError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
