# ruff: noqa: E501  (contract text, kept as a vendor writes it)
"""A small OpenAPI 3.0 contract in YAML, split in two files, written for the tests."""

from __future__ import annotations

from pathlib import Path

API = """
openapi: 3.0.3
info: {title: Tributi del Comune di Prova, version: "2.1"}
servers:
  - url: https://vendor.example.it/tributi/api/v2
paths:
  /enti/{codiceEnte}/pratiche:
    parameters:
      - name: codiceEnte
        in: path
        required: true
        schema: {type: string, pattern: '^[A-Za-z0-9_\\h]{3,20}$'}
    get:
      operationId: elencaPratiche
      parameters:
        - {name: limite, in: query, schema: {type: integer, minimum: 1, maximum: 50}}
      responses:
        "200":
          description: the list
          content:
            application/json:
              schema:
                type: object
                required: [pratiche]
                properties:
                  totale: {type: integer}
                  pratiche: {type: array, items: {$ref: 'model.yaml#/components/schemas/Pratica'}}
    post:
      operationId: creaPratica
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: 'model.yaml#/components/schemas/NuovaPratica'}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: 'model.yaml#/components/schemas/Pratica'}
        "400":
          description: invalid
          content:
            application/problem+json:
              schema: {$ref: 'model.yaml#/components/schemas/Problema'}
        "409":
          description: exists
          content:
            application/problem+json:
              schema: {$ref: 'model.yaml#/components/schemas/Problema'}
  /enti/{codiceEnte}/pratiche/{idPratica}:
    parameters:
      - {name: codiceEnte, in: path, required: true, schema: {type: string}}
      - {name: idPratica, in: path, required: true, schema: {type: string, minLength: 3}}
    get:
      operationId: leggiPratica
      responses:
        "200":
          description: found
          content:
            application/json:
              schema: {$ref: 'model.yaml#/components/schemas/Pratica'}
        "404":
          description: not found
          content:
            application/problem+json:
              schema: {$ref: 'model.yaml#/components/schemas/Problema'}
    patch:
      operationId: modificaPratica
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {descrizione: {type: string, nullable: true}, importo: {$ref: 'model.yaml#/components/schemas/Importo'}}}
      responses:
        "200":
          description: changed
          content:
            application/json:
              schema: {$ref: 'model.yaml#/components/schemas/Pratica'}
        "404": {description: not found}
        "422":
          description: invalid
          content:
            application/json:
              schema: {$ref: 'model.yaml#/components/schemas/Problema'}
    delete:
      operationId: cancellaPratica
      responses:
        "204": {description: gone}
        "404": {description: not found}
  /avvisi/anteprima:
    get:
      operationId: anteprimaAvviso
      parameters:
        - {name: causale, in: query, required: true, schema: {type: string}}
      responses:
        "200":
          description: a preview
          content:
            application/json:
              schema: {$ref: 'model.yaml#/components/schemas/Avviso'}
"""

MODEL = """
components:
  schemas:
    Importo: {type: integer, minimum: 1, description: euro cents}
    NuovaPratica:
      type: object
      required: [idPratica, descrizione, importo]
      properties:
        idPratica: {type: string, minLength: 3}
        descrizione: {type: string, maxLength: 140}
        importo: {$ref: '#/components/schemas/Importo'}
        note: {type: string, nullable: true}
    Pratica:
      allOf:
        - $ref: '#/components/schemas/NuovaPratica'
        - type: object
          required: [stato]
          properties:
            stato: {type: string, enum: [APERTA, PAGATA, ANNULLATA], readOnly: true}
            creataIl: {type: string, format: date-time, readOnly: true}
    Avviso:
      type: object
      required: [noticeNumber, iuv, codiceFiscaleEnte, codiceFiscalePagatore, iban, amount, dueDate]
      properties:
        noticeNumber: {type: string, pattern: '^[0-9]{18}$'}
        iuv: {type: string, minLength: 15, maxLength: 35}
        codiceFiscaleEnte: {type: string, pattern: '^[0-9]{11}$'}
        codiceFiscalePagatore: {type: string, minLength: 16, maxLength: 16}
        iban: {type: string, example: 'IT00X0000000000000000000000'}
        amount: {type: number, minimum: 0.01}
        dueDate: {type: string, format: date}
        causale: {type: string}
    Problema:
      type: object
      required: [title, status]
      properties:
        type: {type: string}
        title: {type: string}
        status: {type: integer, minimum: 100, maximum: 599}
        detail: {type: string}
"""


def write(folder: Path) -> Path:
    """Both files into ``folder``; the path of the root one."""
    (folder / "model.yaml").write_text(MODEL)
    root = folder / "api.yaml"
    root.write_text(API)
    return root
