"""Italian province and metropolitan-city codes (sigle), as used by ``provinciaResidenza``.

The 107 current codes (including SU, Sud Sardegna, since 2016; the FVG codes GO, PN, TS, UD
stay in use after the 2017 reform), and the four Sardinian codes abolished in 2016.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["HISTORICAL_PROVINCE_CODES", "PROVINCE_CODES", "PROVINCE_NAMES"]

PROVINCE_NAMES = MappingProxyType(
    {
        # Piemonte
        "AL": "Alessandria", "AT": "Asti", "BI": "Biella", "CN": "Cuneo", "NO": "Novara",
        "TO": "Torino", "VB": "Verbano-Cusio-Ossola", "VC": "Vercelli",
        # Valle d'Aosta
        "AO": "Aosta",
        # Lombardia
        "BG": "Bergamo", "BS": "Brescia", "CO": "Como", "CR": "Cremona", "LC": "Lecco",
        "LO": "Lodi", "MB": "Monza e della Brianza", "MI": "Milano", "MN": "Mantova",
        "PV": "Pavia", "SO": "Sondrio", "VA": "Varese",
        # Trentino-Alto Adige
        "BZ": "Bolzano", "TN": "Trento",
        # Veneto
        "BL": "Belluno", "PD": "Padova", "RO": "Rovigo", "TV": "Treviso", "VE": "Venezia",
        "VI": "Vicenza", "VR": "Verona",
        # Friuli-Venezia Giulia
        "GO": "Gorizia", "PN": "Pordenone", "TS": "Trieste", "UD": "Udine",
        # Liguria
        "GE": "Genova", "IM": "Imperia", "SP": "La Spezia", "SV": "Savona",
        # Emilia-Romagna
        "BO": "Bologna", "FC": "Forlì-Cesena", "FE": "Ferrara", "MO": "Modena",
        "PC": "Piacenza", "PR": "Parma", "RA": "Ravenna", "RE": "Reggio Emilia",
        "RN": "Rimini",
        # Toscana
        "AR": "Arezzo", "FI": "Firenze", "GR": "Grosseto", "LI": "Livorno", "LU": "Lucca",
        "MS": "Massa-Carrara", "PI": "Pisa", "PO": "Prato", "PT": "Pistoia", "SI": "Siena",
        # Umbria
        "PG": "Perugia", "TR": "Terni",
        # Marche
        "AN": "Ancona", "AP": "Ascoli Piceno", "FM": "Fermo", "MC": "Macerata",
        "PU": "Pesaro e Urbino",
        # Lazio
        "FR": "Frosinone", "LT": "Latina", "RI": "Rieti", "RM": "Roma", "VT": "Viterbo",
        # Abruzzo
        "AQ": "L'Aquila", "CH": "Chieti", "PE": "Pescara", "TE": "Teramo",
        # Molise
        "CB": "Campobasso", "IS": "Isernia",
        # Campania
        "AV": "Avellino", "BN": "Benevento", "CE": "Caserta", "NA": "Napoli", "SA": "Salerno",
        # Puglia
        "BA": "Bari", "BR": "Brindisi", "BT": "Barletta-Andria-Trani", "FG": "Foggia",
        "LE": "Lecce", "TA": "Taranto",
        # Basilicata
        "MT": "Matera", "PZ": "Potenza",
        # Calabria
        "CS": "Cosenza", "CZ": "Catanzaro", "KR": "Crotone", "RC": "Reggio Calabria",
        "VV": "Vibo Valentia",
        # Sicilia
        "AG": "Agrigento", "CL": "Caltanissetta", "CT": "Catania", "EN": "Enna",
        "ME": "Messina", "PA": "Palermo", "RG": "Ragusa", "SR": "Siracusa", "TP": "Trapani",
        # Sardegna
        "CA": "Cagliari", "NU": "Nuoro", "OR": "Oristano", "SS": "Sassari",
        "SU": "Sud Sardegna",
    }
)  # fmt: skip

#: The 107 current province / metropolitan-city codes.
PROVINCE_CODES = frozenset(PROVINCE_NAMES)

#: Codes abolished in 2016 (Sardinian reform, L.R. 2/2016); still seen on old records.
HISTORICAL_PROVINCE_CODES = MappingProxyType(
    {
        "CI": "Carbonia-Iglesias",
        "OG": "Ogliastra",
        "OT": "Olbia-Tempio",
        "VS": "Medio Campidano",
    }
)
